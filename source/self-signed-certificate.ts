/**
 * `selfSignedCertificate`: a throwaway certificate and key for local TLS, made with the
 * `openssl` command.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpindleError } from './errors.js';

/**
 * Where a certificate and its private key are, as PEM files, in a folder of their own that
 * `remove()` deletes.
 *
 * @example
 * ```ts
 * const { cert, key } = selfSignedCertificate();
 * listen(`tls:8443:certKey=${cert}:privateKey=${key}`, echo);
 * ```
 */
export interface CertificateFiles {
  readonly cert: string;
  readonly key: string;
  readonly folder: string;
  /** Deletes the folder and both files. */
  remove(): void;
}

/**
 * Makes a self-signed certificate for `localhost`, 127.0.0.1 and ::1 (an EC P-256 key, valid 30
 * days) in a new temporary folder, with the `openssl` command: for trying TLS locally, never for
 * a server others rely on (clients must be told to trust it, e.g. `curl -k` or `--cacert`).
 *
 * @throws SpindleError when `openssl` is missing or fails, saying so in one line.
 * @example
 * ```ts
 * const files = selfSignedCertificate();
 * reactor.addSystemEventTrigger('after', 'shutdown', () => files.remove());
 * ```
 */
export function selfSignedCertificate(): CertificateFiles {
  const folder = mkdtempSync(join(tmpdir(), 'spindle-tls-'));
  const cert = join(folder, 'cert.pem');
  const key = join(folder, 'key.pem');
  const remove = () => rmSync(folder, { recursive: true, force: true });
  try {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=localhost'],
        ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'],
      ],
      { stdio: 'ignore' },
    );
  } catch (error) {
    remove();
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new SpindleError(
      missing
        ? 'cannot make a self-signed certificate: the openssl command is not installed'
        : `cannot make a self-signed certificate: openssl failed (${(error as Error).message})`,
      { cause: error },
    );
  }
  return { cert, key, folder, remove };
}
