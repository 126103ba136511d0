/**
 * `maildirDelivery`: the delivery hook that stores each message in its recipients' Maildirs
 * (the Maildir format of qmail, Postfix and Dovecot), durably, before the `250`.
 *
 * @module
 */
import { type FileHandle, link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { sharedBufferPool } from '../../source/_buffer-pool.js';
import { fileChunkSize } from '../../source/_file-chunks.js';
import { randomHex } from '../../source/_random-hex.js';
import { UnixTextFile } from './_unix-text-file.js';
import { MaildirError } from './maildir-error.js';
import type { SmtpDelivery, SmtpMessage } from './smtp-hooks.js';
import { formatTraceHeaders } from './trace-headers.js';

/** Options of `maildirDelivery`. */
export interface MaildirDeliveryOptions {
  /**
   * The Maildir of a recipient, as a path relative to the root. Default `domain/local-part`,
   * lower-cased, each byte that is not a letter, a digit or one of `-_+=.` written `%XX` (and a
   * leading `.` too), so that no address can name a folder outside the root.
   */
  readonly mailbox?: (recipient: string) => string;
  /** The host name in the files' names. Default the host's name. */
  readonly hostname?: string;
}

let delivered = 0;

/**
 * A delivery hook that writes each message into a Maildir per recipient under `root`, as an MTA
 * does:
 *
 * 1. `tmp/`, `new/` and `cur/` are made when missing (when a file cannot be made or moved for
 *    want of them: no `mkdir` per message);
 * 2. the message is written to `tmp/` under a unique name (`seconds.MmicrosecondsPpidQcount.host`
 *    with random bits, per the Maildir specification), `Return-Path:` and `Received:` first, with
 *    Unix line ends (CR LF becomes LF, as Postfix's local delivery writes it), streamed as it
 *    arrives through one pooled 256 KiB buffer (the body is pulled only while the buffer has
 *    room or its write is done, so the connection is paused while the disk lags);
 * 3. the file is fsynced (its close then runs beside the rest), hard-linked into the other
 *    recipients' `tmp/` (one copy on disk for all: the `Received:` header names the recipient
 *    only when there is one), renamed into each `new/`, and each `new/` is fsynced after the
 *    rename (each message its own fsync: the file system joins those of messages stored at once
 *    into one journal commit, sooner than a queue of shared fsyncs kept here did);
 *
 * and only then does the hook settle, so the `250` follows. Recipients whose Maildir is the same
 * get one file. On any failure (the client went away, the body was refused, a write failed) the
 * files in `tmp/` are removed and the hook fails: a write failure with a `MaildirError` (`452` for
 * a full disk, `451` otherwise).
 *
 * ```text
 * root/example.com/alice/{tmp,new,cur}/   new/1704207845.M123456P4242Q1R5f3a….mx.example
 * ```
 *
 * @example
 * ```ts
 * smtpServer({ domains: ['example.com'], deliver: maildirDelivery('/var/mail', { mailbox: (to) => to.split('@')[0]! }) });
 * ```
 */
export function maildirDelivery(root: string, options: MaildirDeliveryOptions = {}): SmtpDelivery {
  const mailbox = options.mailbox ?? defaultMailbox;
  const host = (options.hostname ?? osHostname()).replace(/\//g, '\\057').replace(/:/g, '\\072');
  return async (message) => {
    const folders = [...new Set(message.recipients.map((recipient) => join(root, mailbox(recipient))))];
    const name = uniqueName(message.time, host);
    const written: string[] = [];
    let handle: FileHandle | undefined;
    let folder = root;
    try {
      folder = folders[0]!;
      const first = join(folder, 'tmp', name);
      handle = await inMaildir(folder, () => open(first, 'wx', 0o600));
      written.push(first);
      await writeMessage(handle, message);
      await handle.sync();
      const closed = handle.close(); // the file is on disk: its close runs beside the renames
      handle = undefined;
      try {
        for (folder of folders.slice(1)) {
          const copy = join(folder, 'tmp', name);
          await inMaildir(folder, () => link(first, copy));
          written.push(copy);
        }
        for (folder of folders) {
          const target = folder;
          await inMaildir(target, () => rename(join(target, 'tmp', name), join(target, 'new', name)));
          written.shift();
          await syncFolder(join(folder, 'new'));
        }
      } finally {
        await closed;
      }
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await Promise.all(written.map((path) => unlink(path).catch(() => undefined)));
      throw (error as NodeJS.ErrnoException)?.syscall !== undefined
        ? MaildirError.from(error, folder)
        : error;
    }
  };
}

/**
 * Writes the trace headers and the body, as it comes, with LF line ends, staged in one pooled
 * buffer (a 10 KiB message is one write); the buffer goes back to the pool whatever happens.
 */
async function writeMessage(handle: FileHandle, message: SmtpMessage): Promise<void> {
  const text = new UnixTextFile(handle, sharedBufferPool(fileChunkSize));
  try {
    await text.add(Buffer.from(formatTraceHeaders(message)));
    for await (const chunk of message.body) await text.add(chunk);
    await text.finish();
  } finally {
    text.release();
  }
}

/** `seconds.MmicrosecondsPpidQcountRrandom.host`: unique per the Maildir specification. */
function uniqueName(time: number, host: string): string {
  const seconds = Math.floor(time);
  const micro = Math.floor((time - seconds) * 1e6);
  delivered++;
  return `${seconds}.M${micro}P${process.pid}Q${delivered}R${randomHex(8)}.${host}`;
}

/** `domain/local`, lower-cased, every unsafe byte escaped. */
function defaultMailbox(recipient: string): string {
  const at = recipient.lastIndexOf('@');
  return join(safeName(recipient.slice(at + 1)), safeName(recipient.slice(0, at)));
}

function safeName(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text.toLowerCase(), 'utf8')) {
    const char = String.fromCharCode(byte);
    const safe = /[a-z0-9\-_+=.]/.test(char) && !(out === '' && char === '.');
    out += safe ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out === '' ? '%' : out;
}

/**
 * Runs `action` on a file in `folder`'s `tmp/` or `new/`; when a folder is missing (ENOENT),
 * makes `tmp/`, `new/` and `cur/` and runs it again: no `mkdir` per message once they exist.
 */
async function inMaildir<T>(folder: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const sub of ['tmp', 'new', 'cur']) await mkdir(join(folder, sub), { recursive: true, mode: 0o700 });
  return action();
}

/**
 * fsyncs a folder, so that a rename into it survives a crash. It settles when the fsync has: the
 * close of the read-only handle, which can lose nothing, runs on without being waited for.
 */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    handle.close().catch(() => undefined);
  }
}
