/**
 * The certificate and key of a server that upgrades its connections to TLS itself (FTP's AUTH
 * TLS, SMTP's STARTTLS): `--tls-cert` and `--tls-key`, or the throwaway pair of
 * `--tls-self-signed`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileProblem } from '../_file-problem.js';
import type { TLSOptions } from '../connection.js';
import { SpindleError } from '../errors.js';
import type { OptionSpec, OptionValues } from './command.js';
import { text } from './option-values.js';
import type { ServerRuntime } from './server-runtime.js';
import { UsageError } from './usage-error.js';

/**
 * `--tls-cert` and `--tls-key`.
 *
 * @example
 * ```ts
 * const options = { ...tlsFileOptions('STARTTLS'), ...serverOptions(['tcp:2525']) };
 * ```
 */
export function tlsFileOptions(what: string): Record<string, OptionSpec> {
  return {
    'tls-cert': { type: 'string', value: 'FILE', help: `the certificate (PEM) offered by ${what}` },
    'tls-key': { type: 'string', value: 'FILE', help: 'its private key (PEM); default: the --tls-cert file' },
  };
}

/** Reads the PEM file of `option`, or says in one line why it cannot. */
function readPem(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new SpindleError(`cannot read --${option} ${path}: ${fileProblem(error as Error)}`, {
      cause: error,
    });
  }
}

/**
 * The TLS options from `--tls-cert`/`--tls-key`, else from `--tls-self-signed`, else none.
 *
 * @throws UsageError for `--tls-key` without `--tls-cert`; SpindleError for a file it cannot read.
 * @example
 * ```ts
 * const tls = tlsFiles(values, runtime); // then smtpServer({ …, ...(tls && { tls }) })
 * ```
 */
export function tlsFiles(values: OptionValues, runtime: ServerRuntime): TLSOptions | undefined {
  const cert = text(values, 'tls-cert');
  const key = text(values, 'tls-key');
  if (cert === undefined && key !== undefined) throw new UsageError('--tls-key needs --tls-cert');
  if (cert !== undefined) return { cert: readPem('tls-cert', cert), key: readPem('tls-key', key ?? cert) };
  const made = runtime.certificate;
  return made === undefined ? undefined : { cert: readFileSync(made.cert), key: readFileSync(made.key) };
}
