/**
 * Sends the message read from stdin with Spindle's SMTP client and prints what became of each
 * recipient. Without `--server`, it goes to the recipients' domain's mail exchangers (MX).
 *
 * Run: `npx tsx demos/send-mail.ts --from A --to B [--to …] [--server HOST:PORT] [--starttls]
 * [--ca FILE] [--auth name:password] < message`. Exit 0 when every recipient was accepted, 1 on a
 * failure (one line on stderr), 2 on bad options.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sendMail } from '../protocols/smtp/index.js';

const usage =
  'usage: send-mail --from A --to B [--to …] [--server HOST:PORT] [--starttls] [--ca FILE] [--auth NAME:PASSWORD] < message';

function bad(why: string): never {
  console.error(`send-mail: ${why}\n${usage}`);
  process.exit(2);
}

const options = {
  from: { type: 'string' },
  to: { type: 'string', multiple: true },
  server: { type: 'string' },
  starttls: { type: 'boolean' },
  ca: { type: 'string' },
  auth: { type: 'string' },
} as const;

function parsed() {
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    return bad((error as Error).message);
  }
}

const values = parsed();
if (values.from === undefined || values.to === undefined) bad('--from and --to are required');
const server = values.server === undefined ? undefined : /^(.+):(\d+)$/.exec(values.server);
if (server === null) bad(`--server is HOST:PORT, not ${values.server}`);
const colon = values.auth?.indexOf(':') ?? 0;
if (colon < 0) bad('--auth is NAME:PASSWORD');

try {
  const result = await sendMail({
    from: values.from,
    to: values.to,
    message: process.stdin,
    ...(server !== undefined && { host: server[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(server[2]) }),
    tls: values.starttls === true ? 'starttls' : 'none',
    ...(values.ca !== undefined && { tlsOptions: { ca: readFileSync(values.ca) } }),
    ...(values.auth !== undefined && {
      auth: { user: values.auth.slice(0, colon), password: values.auth.slice(colon + 1) },
    }),
  });
  for (const recipient of result.recipients) {
    const { code, text } = recipient.reply;
    console.log(
      `${recipient.accepted ? 'accepted' : 'refused'} ${recipient.address}: ${code} ${text.replaceAll('\n', ' ')}`,
    );
  }
  console.log(
    `sent to ${result.server.name} (${result.server.host} port ${result.server.port}): ${result.reply.code} ${result.reply.text}`,
  );
  if (result.recipients.some((recipient) => !recipient.accepted)) process.exitCode = 1;
} catch (error) {
  console.error(`send-mail: ${(error as Error).message}`);
  process.exitCode = 1;
}
