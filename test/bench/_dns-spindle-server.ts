/**
 * The Spindle contender of `dns.ts`: `dnsServer` serving the zone file named by its first argument
 * on `udp:PORT:interface=127.0.0.1` (UDP and TCP; PORT its second argument). Prints
 * `listening on …` once it listens; exits when stdin closes.
 */

import { dnsServer, listenDns, loadZoneFile } from '../../protocols/dns/index.js';
import { describeEndpoint } from '../../source/index.js';
import { serveParent } from './_child-side.js';

const [zonePath, port] = process.argv.slice(2);
const zone = await loadZoneFile(zonePath!);
const listening = listenDns(`udp:${port}:interface=127.0.0.1`, dnsServer({ zones: [zone] }));
console.log(`listening on ${describeEndpoint(await listening.address)}`);
serveParent();
