/**
 * How the benchmarks' Node contenders store a message, the way Spindle's Maildir delivery does:
 * the text written as it comes to `FOLDER/tmp/` after `Return-Path:`, the file fsynced, renamed
 * into `new/`, `new/` fsynced; `tmp/`, `new/` and `cur/` made once per folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';

const made = new Set<string>();
let delivered = 0;

/** Stores `text` from `from` into the Maildir `folder`, durably: it settles once all is on disk. */
export async function storeInMaildir(
  folder: string,
  from: string,
  text: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<void> {
  if (!made.has(folder)) {
    for (const sub of ['tmp', 'new', 'cur']) await mkdir(join(folder, sub), { recursive: true });
    made.add(folder);
  }
  const name = `${Date.now()}.P${process.pid}Q${++delivered}R${randomBytes(8).toString('hex')}.bench`;
  const file = await open(join(folder, 'tmp', name), 'wx', 0o600);
  try {
    await file.write(`Return-Path: <${from}>\n`);
    for await (const chunk of text) await file.write(chunk);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(join(folder, 'tmp', name), join(folder, 'new', name));
  const directory = await open(join(folder, 'new'), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
