/**
 * `npm start`: the echo and chat demos in one process, until Ctrl-C. It prints where each listens
 * and how to try it with `nc`. `--echo` and `--chat` choose other endpoints.
 *
 * Run: `npm start`, or `npx tsx demos/start.ts [--echo tcp:8007:interface=127.0.0.1]
 * [--chat tcp:8023:interface=127.0.0.1]`.
 */
import { parseArgs } from 'node:util';
import { type Address, describeEndpoint, reactor } from '../source/index.js';
import { startChat } from './chat.js';
import { startEcho } from './echo.js';

/** The command that talks to a server at `address`. */
function nc(address: Address): string {
  if (address.type === 'unix') return `nc -U ${address.path}`;
  if (address.type !== 'tcp') return describeEndpoint(address);
  const host = address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  return `nc ${host} ${address.port}`;
}

const { values } = parseArgs({ options: { echo: { type: 'string' }, chat: { type: 'string' } } });
const demos = [
  { name: 'echo', server: startEcho(values.echo), hint: 'type a line, get it back' },
  {
    name: 'chat',
    server: startChat(values.chat),
    hint: 'in two terminals: pick a name, then talk; /quit leaves',
  },
];
reactor.run(); // Ctrl-C: stop listening, let open connections finish, exit

for (const { name, server, hint } of demos) {
  const address = await server.address;
  console.log(`${name} listening on ${describeEndpoint(address)} - try: ${nc(address)} (${hint})`);
}
console.log('Ctrl-C stops both.');
