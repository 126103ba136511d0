/**
 * `npm start`: the echo, chat and hello (HTTP) demos in one process, until Ctrl-C. It prints where
 * each listens and how to try it. `--echo`, `--chat` and `--hello` choose other endpoints.
 *
 * Run: `npm start`, or `node dist/demos/start.js [--echo tcp:8007:interface=127.0.0.1]
 * [--chat tcp:8023:interface=127.0.0.1] [--hello tcp:8080:interface=127.0.0.1]`.
 */
import { parseArgs } from 'node:util';
import { type Address, describeEndpoint, gatherResults, reactor } from '../source/index.js';
import { startChat } from './chat.js';
import { startEcho } from './echo.js';
import { startHello } from './hello.js';

/** The command that talks to a server at `address`: `nc`, or `curl` for an HTTP one. */
function tryCommand(address: Address, http: boolean): string {
  if (address.type === 'unix')
    return http ? `curl --unix-socket ${address.path} http://x/` : `nc -U ${address.path}`;
  if (address.type !== 'tcp') return describeEndpoint(address);
  const host = address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  return http ? `curl http://${host}:${address.port}/` : `nc ${host} ${address.port}`;
}

const { values } = parseArgs({
  options: { echo: { type: 'string' }, chat: { type: 'string' }, hello: { type: 'string' } },
});
const demos = [
  { name: 'echo', server: startEcho(values.echo), hint: 'type a line, get it back', http: false },
  {
    name: 'chat',
    server: startChat(values.chat),
    hint: 'in two terminals: pick a name, then talk; /quit leaves',
    http: false,
  },
  { name: 'hello', server: startHello(values.hello), hint: 'HTTP: GET / or POST /echo', http: true },
];
reactor.run(); // Ctrl-C: stop listening, let open connections finish, exit; a port in use: exit 1

gatherResults(
  demos.map(({ server }) => server.address),
  { consumeErrors: true },
).addCallbacks(
  (addresses) => {
    demos.forEach(({ name, hint, http }, i) => {
      const address = addresses[i]!;
      console.log(
        `${name} listening on ${describeEndpoint(address)} - try: ${tryCommand(address, http)} (${hint})`,
      );
    });
    console.log('Ctrl-C stops them all.');
  },
  () => undefined, // a server that cannot listen says why itself, and ends the run
);
