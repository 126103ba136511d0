/**
 * The Spindle contender of `dns.ts`: the dns-server demo (demos/dns-server.ts) as a user runs it,
 * serving the zone file named by its first argument on `udp:PORT:interface=127.0.0.1` (UDP and
 * TCP; PORT its second argument). Prints `listening on …` once it listens; exits when stdin
 * closes.
 */
import { startDnsServer } from '../../demos/dns-server.js';
import { listenDns, loadZoneFile } from '../../protocols/dns/index.js';
import { describeEndpoint } from '../../source/index.js';
import { serveParent } from './_child-side.js';

const [zonePath, port] = process.argv.slice(2);
const zone = await loadZoneFile(zonePath as string);
const listening = listenDns(`udp:${port}:interface=127.0.0.1`, startDnsServer([zone]));
console.log(`listening on ${describeEndpoint(await listening.address)}`);
serveParent();
