/**
 * The Spindle contender of `smtp.ts`: the mail-server demo (demos/mail-server.ts) as a user runs
 * it, `--domain example.test --maildir ROOT` (ROOT its first argument) on an ephemeral port of
 * 127.0.0.1, each message written into `ROOT/example.test/user/` and fsynced before its 250. The
 * one option the demo's command line has no flag for: messages up to 64 MiB (the default is
 * 10 MiB), for the 50 MB one. With `--discard` after ROOT, the same server with a delivery hook
 * that reads each message and keeps nothing (the protocol's cost without the disk's). Prints
 * `listening on …`; exits when stdin closes.
 */
import { startMailServer } from '../../demos/mail-server.js';
import type { SmtpDelivery } from '../../protocols/smtp/index.js';
import { describeEndpoint } from '../../source/index.js';
import { serveParent } from './_child-side.js';

/** Reads the message to its end, keeping nothing. */
const discard: SmtpDelivery = async (message) => {
  for await (const _chunk of message.body);
  return undefined;
};

const server = startMailServer('tcp:0:interface=127.0.0.1', {
  domains: ['example.test'],
  ...(process.argv[3] === '--discard' ? { deliver: discard } : { maildir: process.argv[2] as string }),
  maxMessageSize: 64 * 1024 * 1024,
});
console.log(`listening on ${describeEndpoint(await server.address)}`);
serveParent();
