/**
 * The throwaway certificate of `--tls-self-signed`, and `tls:` endpoints given it.
 *
 * @module
 */
import cluster from 'node:cluster';
import { type CertificateFiles, selfSignedCertificate } from '../self-signed-certificate.js';
import type { OptionValues } from './command.js';
import { flag } from './option-values.js';

/** Where the primary of `--workers` puts its throwaway certificate for the workers to share. */
const sharedCertificate = 'SPINDLE_SELF_SIGNED_CERTIFICATE';

/**
 * The throwaway certificate of `--tls-self-signed` (none without it): made once, removed at
 * exit; a worker of `--workers` uses its primary's (so every worker presents the same one).
 *
 * @example
 * ```ts
 * const certificate = throwawayCertificate({ 'tls-self-signed': true });
 * ```
 */
export function throwawayCertificate(values: OptionValues): CertificateFiles | undefined {
  if (!flag(values, 'tls-self-signed')) return undefined;
  const inherited = process.env[sharedCertificate];
  if (cluster.isWorker && inherited !== undefined) {
    const [cert = '', key = ''] = inherited.split('\0');
    return { cert, key, folder: '', remove: () => undefined };
  }
  const files = selfSignedCertificate();
  process.env[sharedCertificate] = `${files.cert}\0${files.key}`;
  process.once('exit', () => files.remove());
  return files;
}

/**
 * `endpoint` with the certificate's files, if it is a `tls:` endpoint naming none of its own.
 *
 * @example
 * ```ts
 * withCertificate('tls:8443', certificate); // 'tls:8443:certKey=/tmp/…/cert.pem:privateKey=/tmp/…/key.pem'
 * ```
 */
export function withCertificate(endpoint: string, certificate: CertificateFiles | undefined): string {
  if (
    certificate === undefined ||
    !/^(tls|ssl):/.test(endpoint) ||
    /(^|:)(certKey|privateKey)=/.test(endpoint)
  ) {
    return endpoint;
  }
  const quote = (path: string) => path.replace(/[\\:=]/g, '\\$&');
  return `${endpoint}:certKey=${quote(certificate.cert)}:privateKey=${quote(certificate.key)}`;
}
