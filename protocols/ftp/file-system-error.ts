/**
 * The errors of the FTP server's file system layer: `FtpPathError`, a path argument refused
 * before any file is touched, and `FtpFileSystemError`, an operation that failed, with a `kind`
 * the server maps to its reply code.
 *
 * @module
 */
import { ProtocolError, SpindleError } from '../../source/errors.js';

/** Why a path argument was refused. */
export type FtpPathRefusal =
  /** `..` would climb above the virtual root. */
  | 'outside-root'
  /** A NUL, CR or LF: never part of a name (a CR or LF in a name would forge lines of a listing). */
  | 'forbidden-character'
  /** Bytes that are not UTF-8, or a string with a lone surrogate. */
  | 'invalid-utf8'
  /** The whole path or one of its names is longer than the limit. */
  | 'too-long'
  /** Not a canonical virtual path where one is required (a file system was handed `a/../b`). */
  | 'not-canonical';

/**
 * A path argument the server refuses before touching any file: it climbs above the root, holds a
 * NUL (or a CR or LF), is not UTF-8, or is too long. The server answers 550; `protocolCode` is
 * 550.
 *
 * @example
 * ```ts
 * try { resolveFtpPath('/', '../etc/passwd'); }
 * catch (e) { if (e instanceof FtpPathError) console.log(e.refusal); } // 'outside-root'
 * ```
 */
export class FtpPathError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_FTP_PATH';
  /** Why the path was refused. */
  readonly refusal: FtpPathRefusal;

  constructor(refusal: FtpPathRefusal, message: string) {
    super(message, { protocolCode: 550 });
    this.refusal = refusal;
  }
}

/**
 * What went wrong in a file system operation. The reply a server gives for each (vsftpd's
 * choices, RFC 959's codes):
 *
 * | kind | meaning | reply |
 * |---|---|---|
 * | `not-found` | no such file or folder (a temporary upload name counts as none) | 550 |
 * | `exists` | the name is taken (MKD, STOU, the target of a rename of a folder) | 550 (553 for STOR/STOU) |
 * | `not-a-directory` | a folder was needed (CWD, LIST, a name inside a file) | 550 |
 * | `is-a-directory` | a file was needed (RETR, STOR, DELE on a folder) | 550 |
 * | `not-a-file` | neither file nor folder (a FIFO, a device): never opened | 550 |
 * | `not-empty` | RMD of a folder that has entries | 550 |
 * | `permission` | the host refuses (EACCES, EPERM, read-only file system) | 550 (553 for STOR) |
 * | `outside-root` | a symbolic link leads out of the root | 550 |
 * | `invalid` | an offset past the end (REST), a folder renamed into itself, the root removed, a link loop | 550 (554 for REST) |
 * | `no-space` | the disk or quota is full | 452 |
 * | `io` | any other failure of the host (EIO, too many open files) | 451 |
 *
 * @example
 * ```ts
 * const kind: FtpFileSystemErrorKind = 'no-space'; // answered with 452
 * ```
 */
export type FtpFileSystemErrorKind =
  | 'not-found'
  | 'exists'
  | 'not-a-directory'
  | 'is-a-directory'
  | 'not-a-file'
  | 'not-empty'
  | 'permission'
  | 'outside-root'
  | 'invalid'
  | 'no-space'
  | 'io';

/**
 * A file system operation failed; `kind` says how (see `FtpFileSystemErrorKind` for the reply
 * each gets), `path` names the virtual path concerned, and the host's error is the `cause`.
 *
 * @example
 * ```ts
 * fs.stat('/missing').addErrback((failure) => {
 *   const error = failure.trap(FtpFileSystemError) as FtpFileSystemError;
 *   return error.kind === 'no-space' ? 452 : 550;
 * });
 * ```
 */
export class FtpFileSystemError extends SpindleError {
  static override readonly code: string = 'SPINDLE_FTP_FILE_SYSTEM';
  /** How the operation failed. */
  readonly kind: FtpFileSystemErrorKind;
  /** The virtual path concerned. */
  readonly path: string;

  constructor(kind: FtpFileSystemErrorKind, path: string, message?: string, options?: ErrorOptions) {
    super(message ?? `${path}: ${describeKind[kind]}`, options);
    this.kind = kind;
    this.path = path;
  }
}

const describeKind: Record<FtpFileSystemErrorKind, string> = {
  'not-found': 'no such file or folder',
  exists: 'the name is taken',
  'not-a-directory': 'not a folder',
  'is-a-directory': 'is a folder',
  'not-a-file': 'not a regular file',
  'not-empty': 'the folder is not empty',
  permission: 'permission denied',
  'outside-root': 'leads outside the root',
  invalid: 'invalid operation',
  'no-space': 'no space left',
  io: 'input/output error',
};
