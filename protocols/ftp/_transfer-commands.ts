/**
 * The FTP commands that move data on the data channel: LIST, NLST, MLSD, RETR, STOR, APPE and
 * STOU. Each checks what it can, opens its source or upload, and hands it to the session's
 * transfer. Private to protocols/ftp.
 *
 * @module
 */
import type { Deferred } from '../../source/deferred.js';
import { type CommandContext, isWritable, sessionPath } from './_command-context.js';
import { listedEntries } from './_file-commands.js';
import type { FtpWriteMode } from './file-system.js';
import { FtpFileSystemError } from './file-system-error.js';
import { formatListLine, formatMlsxFacts } from './listing.js';

/** The REST offset, taken (it applies to one transfer). */
function takeRestart(session: CommandContext): number {
  const offset = session.restart;
  session.restart = 0;
  return offset;
}

/** Opens a file at the REST offset; an offset past its end answers 554 (and gives undefined). */
async function openAt<T>(
  session: CommandContext,
  offset: number,
  open: () => Deferred<T>,
): Promise<T | undefined> {
  try {
    return await open();
  } catch (error) {
    if (offset === 0 || !(error instanceof FtpFileSystemError) || error.kind !== 'invalid') throw error;
    session.reply(554, 'Invalid REST parameter.');
    return undefined;
  }
}

/** Whether a data channel is set up; 425 when not. */
function hasChannel(session: CommandContext): boolean {
  if (session.channel.kind !== 'none') return true;
  session.reply(425, 'Use PORT or PASV first.');
  return false;
}

/** LIST, NLST and MLSD: a folder's entries (or a file's) as lines on the data channel. */
async function listing(
  session: CommandContext,
  verb: 'LIST' | 'NLST' | 'MLSD',
  argument: string,
): Promise<void> {
  if (!hasChannel(session)) return;
  const { folder, entries } = await listedEntries(session, argument);
  if (verb === 'MLSD' && !folder) return session.reply(501, 'MLSD needs a folder.');
  const now = session.now();
  const writable = isWritable(session);
  const lines = entries.map((entry) =>
    verb === 'LIST'
      ? formatListLine(entry, now)
      : verb === 'NLST'
        ? entry.name
        : formatMlsxFacts(entry, { writable, facts: session.facts }),
  );
  const body = lines.map((line) => `${line}\r\n`).join('');
  await session.transfer({ kind: 'send', body, ascii: false }, 'Here comes the directory listing.');
}

/**
 * LIST: `ls -l` lines (`ls` options such as `-la` ignored).
 *
 * @example
 * ```ts
 * await list(session, '-la'); // 150, the lines on the data connection, 226
 * ```
 */
export function list(session: CommandContext, argument: string): Promise<void> {
  return listing(session, 'LIST', argument);
}

/**
 * NLST: names only.
 *
 * @example
 * ```ts
 * await nlst(session, ''); // 150, a name a line, 226
 * ```
 */
export function nlst(session: CommandContext, argument: string): Promise<void> {
  return listing(session, 'NLST', argument);
}

/**
 * MLSD (RFC 3659): a folder's entries with their facts; a file is 501.
 *
 * @example
 * ```ts
 * await mlsd(session, 'docs'); // 150, `type=file;size=3;… a.txt` lines, 226
 * ```
 */
export function mlsd(session: CommandContext, argument: string): Promise<void> {
  return listing(session, 'MLSD', argument);
}

/**
 * RETR: a file, from the REST offset, converted for TYPE A.
 *
 * @example
 * ```ts
 * await retr(session, 'a.txt'); // 150 Opening BINARY mode data connection for a.txt (3 bytes). … 226
 * ```
 */
export async function retr(session: CommandContext, argument: string): Promise<void> {
  if (argument === '') return session.reply(501, 'RETR needs a path.');
  if (!hasChannel(session)) return;
  const path = sessionPath(session, argument);
  const offset = takeRestart(session);
  const reader = await openAt(session, offset, () => session.settings.fileSystem.read(path, { offset }));
  if (reader === undefined) return;
  const ascii = session.type === 'ascii';
  const name = path.slice(path.lastIndexOf('/') + 1);
  await session.transfer(
    { kind: 'send', body: reader, ascii, release: () => reader.close() },
    `Opening ${ascii ? 'ASCII' : 'BINARY'} mode data connection for ${name} (${reader.size} bytes).`,
  );
}

/** STOR, APPE, STOU: an upload (write permission needed), in place only once complete. */
async function store(session: CommandContext, argument: string, mode: FtpWriteMode): Promise<void> {
  if (!isWritable(session)) return session.reply(550, 'Permission denied.');
  if (argument === '' && mode !== 'unique') return session.reply(501, 'A path is needed.');
  if (!hasChannel(session)) return;
  const restart = takeRestart(session);
  const offset = mode === 'replace' ? restart : 0;
  const path = sessionPath(session, argument === '' ? 'ftp.upload' : argument);
  const upload = await openAt(session, offset, () =>
    session.settings.fileSystem.write(path, { mode, offset }),
  );
  if (upload === undefined) return;
  const mark =
    mode === 'unique' ? `FILE: ${upload.path.slice(upload.path.lastIndexOf('/') + 1)}` : 'Ok to send data.';
  await session.transfer({ kind: 'receive', upload, ascii: session.type === 'ascii' }, mark);
}

/**
 * STOR: writes a file (from the REST offset, keeping what is before it).
 *
 * @example
 * ```ts
 * await stor(session, 'up.bin'); // 150 Ok to send data. … 226 once it is fsynced in place
 * ```
 */
export function stor(session: CommandContext, argument: string): Promise<void> {
  return store(session, argument, 'replace');
}

/**
 * APPE: appends to a file (made when missing).
 *
 * @example
 * ```ts
 * await appe(session, 'log'); // 150 Ok to send data. … 226
 * ```
 */
export function appe(session: CommandContext, argument: string): Promise<void> {
  return store(session, argument, 'append');
}

/**
 * STOU: writes a file under a new unique name, given in the 150 reply (RFC 1123's `FILE: name`).
 *
 * @example
 * ```ts
 * await stou(session, 'up'); // 150 FILE: up.1 … 226
 * ```
 */
export function stou(session: CommandContext, argument: string): Promise<void> {
  return store(session, argument, 'unique');
}
