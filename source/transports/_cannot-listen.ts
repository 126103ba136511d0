/**
 * `cannotListen`: Node's listen errors as `CannotListenError`s that say what went wrong in words.
 *
 * @module
 */
import { CannotListenError } from '../errors.js';

/**
 * The `CannotListenError` for Node's `error` from listening on `endpoint` (described): the
 * address in use, privileges, an interface that does not resolve or is not on this machine, a
 * missing folder; any other error keeps Node's message.
 *
 * @example
 * ```ts
 * netServer.once('error', (error) => fail(cannotListen('tcp:80', error)));
 * ```
 */
export function cannotListen(
  endpoint: string,
  error: Error & { code?: string; hostname?: string },
): CannotListenError {
  const code = error.code;
  let problem: string;
  switch (code) {
    case 'EADDRINUSE':
      problem = 'the address is in use by another server (EADDRINUSE)';
      break;
    case 'EACCES':
    case 'EPERM':
      problem = `permission denied (${code}): ports below 1024 and some paths need privileges`;
      break;
    case 'EADDRNOTAVAIL':
      problem = 'that interface address is not on this machine (EADDRNOTAVAIL)';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      problem = `the interface ${error.hostname === undefined ? '' : `"${error.hostname}" `}does not resolve (${code})`;
      break;
    default:
      problem = error.message;
  }
  return new CannotListenError(endpoint, problem, { cause: error, reason: code });
}
