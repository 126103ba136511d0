/**
 * Mail server: an ESMTP server that takes mail for `--domain`s and delivers it into Maildirs
 * under `--maildir` (one per recipient, `DIR/domain/user/new/`), each message written and fsynced
 * before its 250. With `--tls-cert`/`--tls-key` it offers STARTTLS, and AUTH (PLAIN, LOGIN) for
 * the `--auth` users once the session is encrypted. At Ctrl-C, sessions finish their message.
 *
 * Run: `npx tsx demos/mail-server.ts --maildir DIR --domain example.com [--domain …]
 * [--listen tcp:2525:interface=127.0.0.1] [--tls-cert F --tls-key F] [--auth name:password]…`,
 * then `swaks --server 127.0.0.1 --port 2525 --to you@example.com`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type SmtpServerOptions, smtpServer, smtpUsers } from '../protocols/smtp/index.js';
import { describeEndpoint, listen, reactor, type Server } from '../source/index.js';

/** A mail server on `endpoint` with `options`. */
export function startMailServer(endpoint: string, options: SmtpServerOptions): Server {
  return listen(endpoint, smtpServer(options));
}

/** `name:password` pairs as a table; throws naming the bad one. */
export function authTable(pairs: readonly string[]): Record<string, string> {
  const table: Record<string, string> = {};
  for (const pair of pairs) {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw new Error(`--auth ${pair}: expected name:password`);
    table[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return table;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = {
    maildir: { type: 'string' },
    domain: { type: 'string', multiple: true },
    listen: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    auth: { type: 'string', multiple: true },
  } as const;
  const { values } = parseArgs({ options });
  const fail = (message: string, code: number): never => {
    console.error(`mail-server: ${message}`);
    process.exit(code);
  };
  if (values.maildir === undefined) fail('--maildir DIR is required', 2);
  if (values.domain === undefined) fail('at least one --domain NAME is required', 2);
  let users: Record<string, string> = {};
  try {
    users = authTable(values.auth ?? []);
  } catch (error) {
    fail((error as Error).message, 2);
  }
  let tls: SmtpServerOptions['tls'];
  if (values['tls-cert'] !== undefined) {
    try {
      tls = {
        cert: readFileSync(values['tls-cert']),
        key: readFileSync(values['tls-key'] ?? values['tls-cert']),
      };
    } catch (error) {
      fail(`cannot read the certificate or key: ${(error as Error).message}`, 1);
    }
  }
  const server = startMailServer(values.listen ?? 'tcp:2525:interface=127.0.0.1', {
    domains: values.domain ?? [],
    maildir: values.maildir ?? '',
    ...(tls !== undefined && { tls }),
    ...(Object.keys(users).length > 0 && { checker: smtpUsers(users) }),
  });
  server.address.addCallback((address) => console.log(`listening on ${describeEndpoint(address)}`));
  reactor.run(); // Ctrl-C: let sessions finish their message, close, exit
}
