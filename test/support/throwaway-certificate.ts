/**
 * A self-signed certificate for `localhost` (and 127.0.0.1), made with `selfSignedCertificate`
 * in a temporary folder that is removed at once: for TLS tests that must not depend on files in
 * the repository.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { selfSignedCertificate } from '../../source/self-signed-certificate.js';

/** A private key and its certificate, both PEM. */
export interface Certificate {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** Makes a fresh P-256 key and a 30-day self-signed certificate for `localhost` and 127.0.0.1. */
export function throwawayCertificate(): Certificate {
  const files = selfSignedCertificate();
  try {
    return { key: readFileSync(files.key), cert: readFileSync(files.cert) };
  } finally {
    files.remove();
  }
}
