/**
 * `spindle smtp`: a mail server that takes mail for its domains and delivers it into Maildirs
 * (Twisted's `twistd mail`).
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { smtpServer } from '../../protocols/smtp/server.js';
import { smtpUsers } from '../../protocols/smtp/smtp-users.js';
import { fileProblem } from '../_file-problem.js';
import { listen } from '../endpoints.js';
import { SpindleError } from '../errors.js';
import type { Command } from './command.js';
import { flag, pairs, required, texts } from './option-values.js';
import { serverOptions } from './server-options.js';
import { serverRuntime } from './server-runtime.js';
import { tlsFileOptions, tlsFiles } from './tls-files.js';
import { UsageError } from './usage-error.js';

const defaultListen = ['tcp:2525:interface=127.0.0.1'];

/**
 * `spindle smtp --maildir DIR --domain NAME… [--auth name:password]… [--listen ENDPOINT]…`.
 *
 * @example
 * ```ts
 * await smtpCommand.run({ maildir: '/var/mail', domain: ['example.com'] }, []);
 * ```
 */
export const smtpCommand: Command = {
  name: 'smtp',
  summary: 'a mail server delivering into Maildirs',
  usage: 'spindle smtp --maildir DIR --domain NAME… [--auth name:password]… [--listen ENDPOINT]…',
  description:
    'Takes mail for the --domain names (550 for others: no open relay) and delivers each message into DIR/domain/user/new/, written and fsynced before its 250. With a certificate it offers STARTTLS, and AUTH PLAIN and LOGIN for the --auth users once the session is encrypted.',
  options: {
    maildir: {
      type: 'string',
      value: 'DIR',
      help: 'the folder of Maildirs, one per recipient (DIR/domain/user/)',
    },
    domain: { type: 'string', multiple: true, value: 'NAME', help: 'a domain to take mail for' },
    auth: {
      type: 'string',
      multiple: true,
      value: 'name:password',
      help: 'a user who may authenticate (after STARTTLS)',
    },
    'auth-in-clear': {
      type: 'boolean',
      help: 'offer AUTH without TLS too (for tests only: passwords cross in the clear)',
    },
    ...tlsFileOptions('STARTTLS'),
    ...serverOptions(defaultListen),
  },
  examples: [
    'spindle smtp --maildir ./mail --domain example.test   # then: swaks --server 127.0.0.1 --port 2525 --to you@example.test',
  ],
  run(values) {
    const maildir = required(values, 'maildir', 'DIR');
    const domains = texts(values, 'domain');
    if (domains.length === 0) throw new UsageError('--domain NAME is required (at least one)');
    try {
      mkdirSync(maildir, { recursive: true });
    } catch (error) {
      throw new SpindleError(`--maildir ${maildir}: cannot create it: ${fileProblem(error as Error)}`, {
        cause: error,
      });
    }
    const users = Object.fromEntries(pairs(values, 'auth', ':', 'name:password'));
    const runtime = serverRuntime(values, defaultListen);
    const tls = tlsFiles(values, runtime);
    const server = smtpServer({
      domains,
      maildir,
      ...(tls !== undefined && { tls }),
      ...(Object.keys(users).length > 0 && { checker: smtpUsers(users) }),
      ...(flag(values, 'auth-in-clear') && { allowInsecureAuth: true }),
    });
    for (const endpoint of runtime.endpoints)
      runtime.announce(listen(endpoint, server, runtime.listenOptions));
    runtime.run();
  },
};
