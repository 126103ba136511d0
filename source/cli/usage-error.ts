/**
 * `UsageError`: what the `spindle` command says about a command line it cannot run.
 *
 * @module
 */
import { SpindleError } from '../errors.js';

/**
 * A command line the `spindle` command cannot run: an unknown command or option, a missing or
 * bad value. Its message is one line naming the option; the command prints it and exits with
 * code 2 (a server that cannot start exits with 1).
 *
 * @example
 * ```ts
 * throw new UsageError('--passive-ports takes A-B (two port numbers), not "9000"');
 * ```
 */
export class UsageError extends SpindleError {
  static override readonly code: string = 'SPINDLE_USAGE';
}
