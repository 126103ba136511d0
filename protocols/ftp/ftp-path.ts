/**
 * Virtual paths: what an FTP command's path argument names, resolved against the session's
 * working folder into an absolute path under the server's virtual root (`/` is the root, never
 * the host's), or refused.
 *
 * @module
 */
import { FtpPathError } from './file-system-error.js';

/**
 * Limits of `resolveFtpPath`, in UTF-8 bytes.
 *
 * @example
 * ```ts
 * resolveFtpPath('/', name, { maxPathBytes: 1024, maxNameBytes: 255 });
 * ```
 */
export interface FtpPathLimits {
  /** The longest resolved path. Default 4096 (Linux's PATH_MAX). */
  readonly maxPathBytes?: number;
  /** The longest name in it. Default 255 (NAME_MAX of common file systems). */
  readonly maxNameBytes?: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8 = new TextEncoder();
/** NUL, CR and LF: no name holds them (a CR or LF would forge lines of a listing). */
const forbidden = /[\0\r\n]/;
/** A UTF-16 code unit not in a pair: the string did not come from valid UTF-8. */
const loneSurrogate = /\p{Cs}/u;

/**
 * Resolves an FTP path argument against the working folder `cwd` (itself a resolved path) into
 * an absolute virtual path: `/` is the server's root, names are joined by `/`, and `.` and `..`
 * are resolved by name, before any file is looked at (as pyftpdlib does: `link/..` is the folder
 * holding `link`, wherever `link` points).
 *
 * Choices, each a regression test:
 * - An argument starting with `/` starts from the virtual root, never the host's.
 * - `..` that would climb above the root is refused (`outside-root`), not clamped to the root.
 * - Only `/` separates names: a backslash is an ordinary character (`..\..` is one odd name),
 *   and nothing is URL-decoded (`%2e%2e` is a literal name), nor `~` expanded, nor wildcards.
 * - The argument may be the bytes of the command line (decoded here as strict UTF-8, refused
 *   when invalid: `invalid-utf8`) or a string the command parser decoded; a string must be the
 *   output of a strict decoder (one with `fatal: true`): a lone surrogate is refused, but a
 *   lenient decoder's U+FFFD cannot be told from a real one.
 * - NUL, CR and LF are refused anywhere (`forbidden-character`).
 * - A path longer than `maxPathBytes` or a name longer than `maxNameBytes` is refused
 *   (`too-long`).
 * - An empty argument names `cwd` itself: whether a command needs an argument is the session's
 *   business.
 *
 * ```text
 * cwd '/pub', 'a/./b/../c'  → '/pub/a/c'
 * cwd '/pub', '/etc/passwd' → '/etc/passwd'     (under the virtual root)
 * cwd '/',    '../x'        → FtpPathError 'outside-root'
 * ```
 *
 * @throws FtpPathError, with the `refusal` above.
 * @example
 * ```ts
 * resolveFtpPath('/pub', '../incoming/./new.txt'); // '/incoming/new.txt'
 * ```
 */
export function resolveFtpPath(
  cwd: string,
  argument: string | Uint8Array,
  limits: FtpPathLimits = {},
): string {
  const text = typeof argument === 'string' ? checkString(argument) : decode(argument);
  const names = text.startsWith('/') ? [] : [...ftpPathNames(cwd)];
  for (const name of text.split('/')) {
    if (name === '' || name === '.') continue;
    if (name === '..') {
      if (names.length === 0) throw new FtpPathError('outside-root', `${quote(text)} climbs above the root`);
      names.pop();
    } else names.push(name);
  }
  const maxNameBytes = limits.maxNameBytes ?? 255;
  for (const name of names) {
    if (utf8.encode(name).byteLength > maxNameBytes) {
      throw new FtpPathError('too-long', `a name is longer than ${maxNameBytes} bytes`);
    }
  }
  const path = joinFtpPath(names);
  const maxPathBytes = limits.maxPathBytes ?? 4096;
  if (utf8.encode(path).byteLength > maxPathBytes) {
    throw new FtpPathError('too-long', `the path is longer than ${maxPathBytes} bytes`);
  }
  return path;
}

/**
 * The names of a resolved (canonical) virtual path, root first: `[]` for `/`. File systems call
 * it on every path they are given, so one that did not come from `resolveFtpPath` (`a/../b`,
 * `//x`, a NUL) is refused rather than trusted.
 *
 * @throws FtpPathError `not-canonical` or `forbidden-character`.
 * @example
 * ```ts
 * ftpPathNames('/pub/a.txt'); // ['pub', 'a.txt']
 * ```
 */
export function ftpPathNames(path: string): readonly string[] {
  if (path === '/') return [];
  checkString(path);
  const names = path.split('/');
  if (
    names.length < 2 ||
    names[0] !== '' ||
    names.slice(1).some((name) => name === '' || name === '.' || name === '..')
  ) {
    throw new FtpPathError('not-canonical', `${quote(path)} is not a resolved virtual path`);
  }
  return names.slice(1);
}

/**
 * The virtual path made of `names` (`/` for none).
 *
 * @example
 * ```ts
 * joinFtpPath(['pub', 'a.txt']); // '/pub/a.txt'
 * ```
 */
export function joinFtpPath(names: readonly string[]): string {
  return `/${names.join('/')}`;
}

function decode(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new FtpPathError('invalid-utf8', 'the path is not valid UTF-8');
  }
  return checkString(text);
}

function checkString(text: string): string {
  if (loneSurrogate.test(text)) throw new FtpPathError('invalid-utf8', 'the path is not valid UTF-8');
  if (forbidden.test(text)) throw new FtpPathError('forbidden-character', 'the path holds a NUL, CR or LF');
  return text;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
