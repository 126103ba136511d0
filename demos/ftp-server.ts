/**
 * FTP server: serves the folder `--root`, never leaving it. Anonymous users may download and
 * list; `--user name:password` users may upload, rename and delete too (anonymous users as well
 * with `--anonymous-write`). With `--tls-cert` and `--tls-key`, clients may secure the session and
 * the data connections (AUTH TLS, FTPS). Behind NAT, `--passive-ports` and `--passive-address` say
 * which ports to open and which address PASV names. At Ctrl-C, transfers finish, then it exits.
 *
 * Run: `node dist/demos/ftp-server.js --root DIR [--listen tcp:2121:interface=127.0.0.1]
 * [--user name:password]… [--anonymous-write] [--passive-ports A-B] [--passive-address IP]
 * [--tls-cert F --tls-key F]`, then `curl ftp://127.0.0.1:2121/` or `curl -T f ftp://name:password@127.0.0.1:2121/`.
 */
import { readFileSync, statSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type FtpServerOptions, type FtpUser, ftpServer, ftpUsers } from '../protocols/ftp/index.js';
import { describeEndpoint, EndpointSyntaxError, listen, reactor, type Server } from '../source/index.js';

/** Serves FTP on `endpoint`; closing the server (or the reactor's shutdown) lets transfers finish. */
export function startFtpServer(options: FtpServerOptions, endpoint = 'tcp:2121:interface=127.0.0.1'): Server {
  return listen(endpoint, ftpServer(options));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const fail = (code: number, message: string): never => {
    console.error(`ftp-server: ${message}`);
    return process.exit(code);
  };
  const [text, flag] = [{ type: 'string' }, { type: 'boolean' }] as const;
  const options = {
    ...{ root: text, listen: text, user: { ...text, multiple: true }, 'anonymous-write': flag },
    ...{ 'passive-ports': text, 'passive-address': text, 'tls-cert': text, 'tls-key': text },
  } as const;
  const values = (() => {
    try {
      return parseArgs({ options }).values;
    } catch (error) {
      return fail(2, (error as Error).message);
    }
  })();
  const { listen: endpoint, 'passive-ports': ports, 'passive-address': address } = values;
  const [cert, key] = [values['tls-cert'], values['tls-key']];
  const root = values.root ?? fail(2, 'give --root DIR');
  if (statSync(root, { throwIfNoEntry: false })?.isDirectory() !== true) fail(1, `${root} is not a folder`);
  const users: Record<string, FtpUser> = {};
  for (const pair of values.user ?? []) {
    const [, name, password] =
      /^([^:]+):(.*)$/s.exec(pair) ?? fail(2, `--user takes name:password, not ${pair}`);
    users[name!] = { password: password! };
  }
  const range =
    ports === undefined ? undefined : (/^(\d+)-(\d+)$/.exec(ports) ?? fail(2, '--passive-ports takes A-B'));
  if (address !== undefined && !isIPv4(address)) fail(2, '--passive-address takes an IPv4 address');
  if ((cert === undefined) !== (key === undefined)) fail(2, '--tls-cert and --tls-key go together');
  try {
    const anonymous = values['anonymous-write'] === true ? 'write' : 'read';
    const server = startFtpServer(
      {
        root,
        checker: ftpUsers(users, { anonymous }),
        ...(range !== undefined && { passivePorts: [Number(range[1]), Number(range[2])] as const }),
        ...(address !== undefined && { passiveAddress: address }),
        ...(cert !== undefined && { tls: { cert: readFileSync(cert), key: readFileSync(key!) } }),
      },
      endpoint,
    );
    server.address.addCallback((where) => console.log(`listening on ${describeEndpoint(where)}`));
  } catch (error) {
    const badValue = error instanceof RangeError || error instanceof EndpointSyntaxError;
    fail(badValue ? 2 : 1, (error as Error).message);
  }
  reactor.run(); // Ctrl-C: stop listening, let transfers finish, exit
}
