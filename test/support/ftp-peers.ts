/**
 * Real FTP servers for the client's interop tests, each on a free loopback port: pyftpdlib
 * (Debian's `python3-pyftpdlib`), plain or with explicit TLS, and Twisted's `twistd3 ftp`.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accepts, type PeerProcess, startPeer } from './peer-process.js';
import type { Certificate } from './throwaway-certificate.js';
import { twistdCommand, twistdHint } from './twistd.js';

/** pyftpdlib's FTP_TLS handler: `script PORT ROOT CERT KEY`; TLS required on control and data. */
const tlsServer = `
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer
port, root, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
authorizer = DummyAuthorizer()
authorizer.add_user('user', 'pass', root, perm='elradfmwMT')
handler = TLS_FTPHandler
handler.certfile = cert
handler.keyfile = key
handler.authorizer = authorizer
handler.tls_control_required = True
handler.tls_data_required = True
FTPServer(('127.0.0.1', port), handler).serve_forever()
`;

/**
 * Runs pyftpdlib on 127.0.0.1 serving `root`, user `user` with password `pass` (may write). With
 * `tls`, explicit FTPS is required on the control and data connections; the certificate and key
 * are written into `scratch` (a folder the caller removes).
 *
 * @example
 * ```ts
 * const server = await startPyftpdlib(root);
 * try { await connectFtp({ host: '127.0.0.1', port: server.port }); } finally { await server.stop(); }
 * ```
 */
export function startPyftpdlib(
  root: string,
  tls?: { certificate: Certificate; scratch: string },
): Promise<PeerProcess> {
  const hint = "Debian's python3-pyftpdlib has it (and python3-openssl for TLS)";
  if (tls === undefined) {
    return startPeer({
      name: 'pyftpdlib',
      command: (port) => [
        '/usr/bin/python3',
        '-m',
        'pyftpdlib',
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '-w',
        '-d',
        root,
        '-u',
        'user',
        '-P',
        'pass',
      ],
      answers: accepts,
      hint,
    });
  }
  const cert = join(tls.scratch, 'cert.pem');
  const key = join(tls.scratch, 'key.pem');
  writeFileSync(cert, tls.certificate.cert);
  writeFileSync(key, tls.certificate.key);
  return startPeer({
    name: 'pyftpdlib (TLS)',
    command: (port) => ['/usr/bin/python3', '-c', tlsServer, String(port), root, cert, key],
    answers: accepts,
    hint,
  });
}

/**
 * Runs Twisted's FTP server (anonymous, read-only) serving `root`. It binds every interface:
 * talk to it on 127.0.0.1 only.
 *
 * @example
 * ```ts
 * const server = await startTwistedFtp(root);
 * ```
 */
export function startTwistedFtp(root: string): Promise<PeerProcess> {
  return startPeer({
    name: 'twistd3 ftp',
    command: (port) => twistdCommand('ftp', '-p', String(port), '-r', root),
    answers: accepts,
    hint: twistdHint,
  });
}
