/**
 * `spindle ftp`: an FTP server over a folder, confined to it, with FTPS when it has a
 * certificate (Twisted's `twistd ftp`).
 *
 * @module
 */
import { statSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { ftpServer } from '../../protocols/ftp/server.js';
import { type FtpUser, ftpUsers } from '../../protocols/ftp/users.js';
import { listen } from '../endpoints.js';
import { SpindleError } from '../errors.js';
import type { Command, OptionValues } from './command.js';
import { flag, pairs, required, text } from './option-values.js';
import { serverOptions } from './server-options.js';
import { serverRuntime } from './server-runtime.js';
import { tlsFileOptions, tlsFiles } from './tls-files.js';
import { UsageError } from './usage-error.js';

const defaultListen = ['tcp:2121:interface=127.0.0.1'];

/** `--passive-ports A-B` as a range, A ≤ B, both ports. */
function passivePorts(values: OptionValues): readonly [number, number] | undefined {
  const range = text(values, 'passive-ports');
  if (range === undefined) return undefined;
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(range);
  const [low, high] = [Number(match?.[1]), Number(match?.[2])];
  if (match === null || low < 1 || high > 65_535 || low > high) {
    throw new UsageError(
      `--passive-ports takes A-B, two ports with A <= B (e.g. 30000-30099), not ${JSON.stringify(range)}`,
    );
  }
  return [low, high];
}

/**
 * `spindle ftp --root DIR [--user name:password]… [--anonymous-write] [--passive-ports A-B] [--listen ENDPOINT]…`.
 *
 * @example
 * ```ts
 * await ftpCommand.run({ root: '/srv/ftp', user: ['alice:s3cret'] }, []);
 * ```
 */
export const ftpCommand: Command = {
  name: 'ftp',
  summary: 'an FTP server over a folder (FTPS with a certificate)',
  usage:
    'spindle ftp --root DIR [--user name:password]… [--anonymous-write] [--passive-ports A-B] [--listen ENDPOINT]…',
  description:
    'Serves the folder --root, never a path outside it. Anonymous users may list and download; --user users may upload, rename and delete too (anonymous ones as well with --anonymous-write). Uploads are written under a temporary name, fsynced and renamed before 226. With a certificate, clients may secure the session and the data connections (AUTH TLS).',
  options: {
    root: { type: 'string', value: 'DIR', help: 'the folder to serve' },
    user: { type: 'string', multiple: true, value: 'name:password', help: 'a user who may log in and write' },
    'anonymous-write': { type: 'boolean', help: 'let anonymous users upload, rename and delete too' },
    'passive-ports': {
      type: 'string',
      value: 'A-B',
      help: 'the ports passive data connections use',
      default: 'any free port',
    },
    'passive-address': {
      type: 'string',
      value: 'IP',
      help: 'the IPv4 address PASV names (behind NAT)',
      default: 'the control connection’s',
    },
    'require-tls': { type: 'boolean', help: 'refuse login before AUTH TLS' },
    ...tlsFileOptions('AUTH TLS'),
    ...serverOptions(defaultListen),
  },
  examples: [
    'spindle ftp --root ./files --user alice:s3cret --passive-ports 30000-30099   # then: curl ftp://127.0.0.1:2121/',
  ],
  run(values) {
    const root = required(values, 'root', 'DIR');
    const ports = passivePorts(values);
    const address = text(values, 'passive-address');
    if (address !== undefined && !isIPv4(address))
      throw new UsageError(`--passive-address takes an IPv4 address, not ${JSON.stringify(address)}`);
    const users: Record<string, FtpUser> = Object.fromEntries(
      pairs(values, 'user', ':', 'name:password').map(([name, password]) => [name, { password }]),
    );
    if (statSync(root, { throwIfNoEntry: false })?.isDirectory() !== true)
      throw new SpindleError(`--root ${root}: not a folder`);
    const runtime = serverRuntime(values, defaultListen);
    const tls = tlsFiles(values, runtime);
    if (flag(values, 'require-tls') && tls === undefined)
      throw new UsageError('--require-tls needs --tls-cert or --tls-self-signed');
    const server = ftpServer({
      root,
      checker: ftpUsers(users, { anonymous: flag(values, 'anonymous-write') ? 'write' : 'read' }),
      ...(ports !== undefined && { passivePorts: ports }),
      ...(address !== undefined && { passiveAddress: address }),
      ...(tls !== undefined && { tls, requireTls: flag(values, 'require-tls') }),
    });
    for (const endpoint of runtime.endpoints)
      runtime.announce(listen(endpoint, server, runtime.listenOptions));
    runtime.run();
  },
};
