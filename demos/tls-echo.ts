/**
 * TLS echo: the echo demo over TLS. The endpoint names the certificate and key
 * (`tls:8443:certKey=cert.pem:privateKey=key.pem`); the connection is the same `Connection` as
 * over TCP, so the protocol is the same `echo`. Without `--cert`, it makes a throwaway
 * self-signed certificate for localhost with `openssl` in a temporary folder (removed at
 * shutdown) and prints where, so a client can trust it.
 *
 * Run: `node dist/demos/tls-echo.js [--listen tls:8443:interface=127.0.0.1] [--cert cert.pem --key key.pem]`,
 * then `openssl s_client -quiet -connect 127.0.0.1:8443 -CAfile CERT`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { echo } from '../protocols/wire/index.js';
import { describeEndpoint, listen, reactor, type Server, selfSignedCertificate } from '../source/index.js';

/** Where a certificate and its private key are, as PEM files. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** Starts a TLS echo server on `endpoint` (without `certKey`/`privateKey`: they come from `files`). */
export function startTLSEcho(endpoint: string, files: KeyPair): Server {
  const quote = (path: string) => path.replace(/[\\:]/g, '\\$&');
  return listen(`${endpoint}:certKey=${quote(files.cert)}:privateKey=${quote(files.key)}`, echo);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = { listen: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } } as const;
  const { values } = parseArgs({ options });
  let files: KeyPair;
  if (values.cert !== undefined) files = { cert: values.cert, key: values.key ?? values.cert };
  else {
    const made = selfSignedCertificate();
    reactor.addSystemEventTrigger('after', 'shutdown', () => made.remove());
    console.log(`no --cert given: using a throwaway self-signed certificate for localhost: ${made.cert}`);
    files = made;
  }
  const server = startTLSEcho(values.listen ?? 'tls:8443:interface=127.0.0.1', files);
  server.address.addCallback((address) => console.log(`listening on ${describeEndpoint(address)}`));
  reactor.run(); // Ctrl-C: stop listening, let open connections finish, exit
}
