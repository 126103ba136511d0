/**
 * The raw node:net responder of `smtp.ts`, the ceiling of a Node server on this machine's disk: it
 * parses next to nothing (a command is known by its first four letters, the text ends at the first
 * `CR LF . CR LF`, and nothing is checked or limited), and stores each message exactly as the
 * smtp-server contender does (`_maildir-store.ts`), in `ROOT/example.test/user/` (ROOT its first
 * argument), then the 250; with `--discard` after ROOT, the 250 at once, storing nothing. What it cannot beat is the file system; what Spindle spends above it is
 * the protocol. It holds a whole message in memory, so the memory runs leave it out. Prints its
 * port; exits when stdin closes.
 */
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { serveParent } from './_child-side.js';
import { storeInMaildir } from './_maildir-store.js';

const folder = join(process.argv[2] as string, 'example.test', 'user');
const discarding = process.argv[3] === '--discard';
const endOfText = Buffer.from('\r\n.\r\n');

/** One connection: replies by a command's first four letters; the text is gathered until its end. */
function serve(socket: Socket): void {
  socket.on('error', () => {});
  let text: Buffer[] | undefined;
  socket.write('220 raw ESMTP\r\n');
  socket.on('data', (chunk: Buffer) => {
    if (text !== undefined) {
      text.push(chunk);
      const whole = Buffer.concat(text);
      if (whole.length < endOfText.length || !whole.subarray(-endOfText.length).equals(endOfText)) return;
      text = undefined;
      const stored = discarding
        ? Promise.resolve()
        : storeInMaildir(folder, 'load@client.test', [whole.subarray(0, whole.length - 3)]);
      stored.then(
        () => socket.write('250 2.0.0 Ok\r\n'),
        () => socket.write('451 4.3.0 Not stored\r\n'),
      );
      return;
    }
    const verb = chunk.toString('latin1', 0, 4).toUpperCase();
    if (verb === 'DATA') {
      text = [];
      socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
    } else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
    else if (verb === 'EHLO') socket.write('250-raw\r\n250 PIPELINING\r\n');
    else socket.write('250 2.1.0 Ok\r\n');
  });
}

const server = createServer({ noDelay: true }, serve);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected address ${address}`);
  console.log(address.port);
  serveParent();
});
