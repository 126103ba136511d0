/**
 * Chat: Twisted's classic line-based chat, a stream protocol. The server asks your name (it must
 * be free), then each line you type goes to everyone else as `<name> line`; joins and leaves are
 * announced, `/quit` leaves. A line over 1024 bytes drops its sender only. Lines may end in a bare
 * `\n`, as `nc` sends them when you press Enter, or in `\r\n`, as telnet does.
 *
 * The protocol is `chat()` from `spindle/protocols/chat`; a listener that stops reading misses
 * messages (and is told how many) instead of making the server buffer for it.
 *
 * Run: `node dist/demos/chat.js [--listen tcp:8023:interface=127.0.0.1]`, then `nc 127.0.0.1 8023`
 * in two terminals.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chat } from '../protocols/chat/index.js';
import { describeEndpoint, listen, reactor, type Server } from '../source/index.js';

/** Starts a chat server on `endpoint`. */
export function startChat(endpoint = 'tcp:8023:interface=127.0.0.1'): Server {
  return listen(endpoint, chat());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { listen: { type: 'string' } } });
  const server = startChat(values.listen);
  server.address.addCallback((address) => console.log(`listening on ${describeEndpoint(address)}`));
  reactor.run(); // Ctrl-C: stop listening, let open connections finish, exit
}
