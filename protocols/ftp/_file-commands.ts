/**
 * The FTP commands on folders and files over the control connection: PWD, CWD, CDUP, SIZE, MDTM,
 * MLST, STAT with a path, DELE, MKD, RMD, RNFR and RNTO. Private to protocols/ftp.
 *
 * @module
 */
import type { Deferred } from '../../source/deferred.js';
import { type CommandContext, type CommandHandler, isWritable, sessionPath } from './_command-context.js';
import { quotePath, statusLines } from './_session-texts.js';
import type { FtpFileInfo, FtpFileSystem } from './file-system.js';
import { type FtpListEntry, formatListLine, formatMdtm, formatMlsxFacts } from './listing.js';

/** A file system entry as a listing shows it. */
function listEntry(info: FtpFileInfo, name = info.name): FtpListEntry {
  return {
    name,
    kind: info.kind === 'other' ? 'file' : info.kind,
    size: info.size,
    modified: info.modified,
    mode: info.mode,
    ...(info.linkTarget !== undefined && { target: info.linkTarget }),
  };
}

/** LIST's argument without the `ls` options clients add (`-la`, `-a`). */
function withoutOptions(argument: string): string {
  return argument.replace(/^(?:-[A-Za-z]+(?:\s+|$))+/, '');
}

/**
 * The entries LIST, NLST, MLSD and STAT show for `argument` (`ls` options dropped): a folder's,
 * or the one file's.
 *
 * @example
 * ```ts
 * const { folder, entries } = await listedEntries(session, '-la docs');
 * ```
 */
export async function listedEntries(
  session: CommandContext,
  argument: string,
): Promise<{ readonly folder: boolean; readonly entries: FtpListEntry[] }> {
  const fs = session.settings.fileSystem;
  const path = sessionPath(session, withoutOptions(argument));
  const info = await fs.stat(path);
  if (info.kind !== 'directory') return { folder: false, entries: [listEntry(info)] };
  return { folder: true, entries: (await fs.list(path)).map((entry) => listEntry(entry)) };
}

/**
 * PWD: the working folder, quoted.
 *
 * @example
 * ```ts
 * pwd(session); // 257 "/" is the current directory
 * ```
 */
export function pwd(session: CommandContext): undefined {
  return session.reply(257, `${quotePath(session.cwd)} is the current directory`);
}

/**
 * CWD (and CDUP, as `CWD ..`): into a folder; `..` at the root stays there.
 *
 * @example
 * ```ts
 * await cwd(session, 'docs'); // 250 Directory successfully changed.
 * ```
 */
export async function cwd(session: CommandContext, argument: string): Promise<void> {
  if (argument === '..' && session.cwd === '/') {
    return session.reply(250, 'Directory successfully changed.');
  }
  const path = sessionPath(session, argument);
  const info = await session.settings.fileSystem.stat(path);
  if (info.kind !== 'directory') return session.reply(550, 'Failed to change directory.');
  session.cwd = path;
  session.reply(250, 'Directory successfully changed.');
}

/**
 * CDUP: up one folder.
 *
 * @example
 * ```ts
 * await cdup(session); // 250 Directory successfully changed.
 * ```
 */
export function cdup(session: CommandContext): Promise<void> {
  return cwd(session, '..');
}

/**
 * SIZE (RFC 3659): a file's size in octets.
 *
 * @example
 * ```ts
 * await size(session, 'a.txt'); // 213 1024
 * ```
 */
export async function size(session: CommandContext, argument: string): Promise<void> {
  const info = await session.settings.fileSystem.stat(sessionPath(session, argument));
  if (info.kind !== 'file') return session.reply(550, 'Could not get file size.');
  session.reply(213, String(info.size));
}

/**
 * MDTM (RFC 3659): a file's modification time, `YYYYMMDDHHMMSS` in UTC.
 *
 * @example
 * ```ts
 * await mdtm(session, 'a.txt'); // 213 20240102030405
 * ```
 */
export async function mdtm(session: CommandContext, argument: string): Promise<void> {
  const info = await session.settings.fileSystem.stat(sessionPath(session, argument));
  if (info.kind !== 'file') return session.reply(550, 'Could not get file modification time.');
  session.reply(213, formatMdtm(info.modified));
}

/**
 * MLST (RFC 3659): one entry's facts, on the control connection.
 *
 * @example
 * ```ts
 * await mlst(session, 'a.txt'); // 250-Listing /a.txt …
 * ```
 */
export async function mlst(session: CommandContext, argument: string): Promise<void> {
  const path = sessionPath(session, argument);
  const info = await session.settings.fileSystem.stat(path);
  const facts = formatMlsxFacts(listEntry(info, path), {
    writable: isWritable(session),
    facts: session.facts,
  });
  session.reply(250, [`Listing ${path}`, facts, 'End']);
}

/**
 * STAT: the session's status (211) without an argument; with one, its listing (213).
 *
 * @example
 * ```ts
 * await stat(session, 'docs'); // 213-Status follows: … 213 End of status
 * ```
 */
export function stat(session: CommandContext, argument: string): Promise<void> | undefined {
  if (argument === '') return session.reply(211, statusLines(session));
  return statPath(session, argument);
}

async function statPath(session: CommandContext, argument: string): Promise<void> {
  const { entries } = await listedEntries(session, argument);
  const now = session.now();
  session.reply(213, [
    'Status follows:',
    ...entries.map((entry) => formatListLine(entry, now)),
    'End of status',
  ]);
}

/**
 * DELE, RMD and MKD: a handler that needs write permission and a path, makes one file system
 * call on it, and answers `code` and `text`.
 */
function changing(
  operation: (fs: FtpFileSystem, path: string) => Deferred<void>,
  code: number,
  text: (path: string) => string,
): CommandHandler {
  return async (session, argument) => {
    if (!isWritable(session)) return session.reply(550, 'Permission denied.');
    if (argument === '') return session.reply(501, 'A path is needed.');
    const path = sessionPath(session, argument);
    await operation(session.settings.fileSystem, path);
    session.reply(code, text(path));
  };
}

/**
 * DELE: deletes a file.
 *
 * @example
 * ```ts
 * await dele(session, 'old.txt'); // 250 Delete operation successful.
 * ```
 */
export const dele = changing(
  (fs, path) => fs.delete(path),
  250,
  () => 'Delete operation successful.',
);

/**
 * RMD: removes an empty folder.
 *
 * @example
 * ```ts
 * await rmd(session, 'old'); // 250 Remove directory operation successful.
 * ```
 */
export const rmd = changing(
  (fs, path) => fs.rmdir(path),
  250,
  () => 'Remove directory operation successful.',
);

/**
 * MKD: makes a folder, and names it.
 *
 * @example
 * ```ts
 * await mkd(session, 'new'); // 257 "/new" created
 * ```
 */
export const mkd = changing(
  (fs, path) => fs.mkdir(path),
  257,
  (path) => `${quotePath(path)} created`,
);

/**
 * RNFR: the path to rename, which must exist; RNTO must come next.
 *
 * @example
 * ```ts
 * await rnfr(session, 'a.txt'); // 350 Ready for RNTO.
 * ```
 */
export async function rnfr(session: CommandContext, argument: string): Promise<void> {
  session.renameFrom = undefined;
  if (!isWritable(session)) return session.reply(550, 'Permission denied.');
  if (argument === '') return session.reply(501, 'A path is needed.');
  const path = sessionPath(session, argument);
  await session.settings.fileSystem.stat(path);
  session.renameFrom = path;
  session.reply(350, 'Ready for RNTO.');
}

/**
 * RNTO: renames the RNFR path.
 *
 * @example
 * ```ts
 * await rnto(session, 'b.txt'); // 250 Rename successful.
 * ```
 */
export async function rnto(session: CommandContext, argument: string): Promise<void> {
  const from = session.renameFrom;
  session.renameFrom = undefined;
  if (from === undefined) return session.reply(503, 'RNFR required first.');
  if (argument === '') return session.reply(501, 'A path is needed.');
  await session.settings.fileSystem.rename(from, sessionPath(session, argument));
  session.reply(250, 'Rename successful.');
}
