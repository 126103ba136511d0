/**
 * A self-signed certificate for `localhost` (and 127.0.0.1), made with `openssl` in a temporary
 * folder that is removed at once: for TLS tests that must not depend on files in the repository.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private key and its certificate, both PEM. */
export interface Certificate {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** Makes a fresh P-256 key and a 30-day self-signed certificate for `localhost` and 127.0.0.1. */
export function throwawayCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '30',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
