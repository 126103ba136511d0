/**
 * The replies for a command or a transfer that failed, by its error. Private to protocols/ftp.
 *
 * @module
 */
import { CommandError } from './command-error.js';
import { FtpFileSystemError, FtpPathError } from './file-system-error.js';

/**
 * The reply for a command whose handler threw: a path refused 550, a `CommandError` its own
 * reply, a file system failure by its kind (452 no space, 451 I/O, 553 an upload that may not be
 * made, else 550), anything unexpected 451.
 *
 * @example
 * ```ts
 * commandFailureReply('STOR', new FtpFileSystemError('no-space', '/up.bin')); // [452, 'Insufficient storage space.']
 * ```
 */
export function commandFailureReply(verb: string, error: unknown): readonly [number, string] {
  if (error instanceof FtpPathError) return [550, `${error.message}.`];
  if (error instanceof CommandError) return [error.reply, `${error.message}.`];
  if (!(error instanceof FtpFileSystemError)) return [451, 'Local error in processing.'];
  const upload = verb === 'STOR' || verb === 'STOU' || verb === 'APPE';
  if (error.kind === 'no-space') return [452, 'Insufficient storage space.'];
  if (error.kind === 'io') return [451, 'Local error in processing.'];
  if (upload && (error.kind === 'permission' || error.kind === 'exists')) {
    return [553, `Could not create file: ${error.message}.`];
  }
  return [550, `${error.message}.`];
}

/**
 * The last reply of a transfer the file system failed (451 for anything unexpected).
 *
 * @example
 * ```ts
 * transferFailureReply(new FtpFileSystemError('io', '/a.bin')); // [451, 'Local error: transfer aborted.']
 * ```
 */
export function transferFailureReply(error: unknown): readonly [number, string] {
  if (error instanceof FtpFileSystemError) {
    if (error.kind === 'no-space') return [452, 'Insufficient storage space: transfer aborted.'];
    if (error.kind === 'io') return [451, 'Local error: transfer aborted.'];
    return [550, `Transfer failed: ${error.message}.`];
  }
  return [451, 'Local error: transfer aborted.'];
}
