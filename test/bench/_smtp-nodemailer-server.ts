/**
 * The smtp-server contender of `smtp.ts`: nodemailer's `SMTPServer` on an ephemeral port of
 * 127.0.0.1 (no AUTH, no reverse DNS lookup, messages up to 64 MiB), its `onData` storing each
 * message the way Spindle's Maildir delivery does (`_maildir-store.ts`): the stream written as it
 * comes to `ROOT/example.test/user/tmp/` (ROOT its first argument) after `Return-Path:`, the file
 * fsynced, renamed into `new/`, `new/` fsynced, then the 250. With `--discard` after ROOT, `onData`
 * reads the stream to its end and keeps nothing. Prints its port; exits when stdin closes.
 */
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { serveParent } from './_child-side.js';
import { storeInMaildir } from './_maildir-store.js';

const root = process.argv[2] as string;
const discarding = process.argv[3] === '--discard';

/** Writes the message into the recipient's Maildir, durably. */
function store(stream: NodeJS.ReadableStream, from: string, to: string): Promise<void> {
  const at = to.lastIndexOf('@');
  const folder = join(root, to.slice(at + 1).toLowerCase(), to.slice(0, at).toLowerCase());
  if (discarding) return discard(stream);
  return storeInMaildir(folder, from, stream as AsyncIterable<Buffer>);
}

/** Reads the stream to its end, keeping nothing. */
async function discard(stream: NodeJS.ReadableStream): Promise<void> {
  for await (const _chunk of stream as AsyncIterable<Buffer>);
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  disableReverseLookup: true,
  size: 64 * 1024 * 1024,
  logger: false,
  onData(stream, session, callback) {
    const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
    const to = session.envelope.rcptTo[0]?.address ?? '';
    store(stream, from, to).then(
      () => callback(),
      (error: Error) => {
        stream.resume();
        callback(error);
      },
    );
  },
});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected address ${address}`);
  console.log(address.port);
  serveParent();
});
