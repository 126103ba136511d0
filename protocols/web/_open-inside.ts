/**
 * `openInside`: opens what a path names under a root folder, following links only as far as the
 * root: a link that resolves outside it counts as missing. Private to protocols/web.
 *
 * @module
 */
import { constants, fstatSync, type Stats } from 'node:fs';
import { type FileHandle, open, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

/**
 * What a path under the root turned out to be: a regular file (open, with its stats taken from the
 * open handle), a folder (its real path), nothing servable (missing, outside the root, or not a
 * regular file: a FIFO, a socket, a device), or something the process may not read.
 *
 * @example
 * ```ts
 * const found = await openInside('/srv/www', ['index.html']);
 * if (found.kind === 'file') await found.handle.close();
 * ```
 */
export type Found =
  | { readonly kind: 'file'; readonly handle: FileHandle; readonly stats: Stats; readonly real: string }
  | { readonly kind: 'folder'; readonly real: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'forbidden' };

const missing: Found = { kind: 'missing' };
const forbidden: Found = { kind: 'forbidden' };
/** Never follow a link at the last step (the real path has none, unless one was put there since); never block opening a FIFO. */
const openFlags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** What an errno from resolving or opening means here; anything else is thrown on (a 500). */
function refusal(error: unknown): Found {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG') return missing;
  if (code === 'EACCES' || code === 'EPERM') return forbidden;
  throw error;
}

/**
 * Whether the real path `real` is `root` or below it.
 *
 * @example
 * ```ts
 * isInside('/srv/www', '/srv/www-old/x'); // false
 * ```
 */
export function isInside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves `names` under `root` (a real path: no links in it) through every link, and opens a
 * regular file found there (read-only, not following a link put in its place since, without
 * blocking on a FIFO), checking what was opened with `fstat` (synchronous: no disk I/O). A real
 * path outside the root is `missing`, as are a file vanishing and a special file; a permission
 * error is `forbidden`.
 *
 * @throws the errno error for any other failure (EMFILE, EIO …).
 * @example
 * ```ts
 * const found = await openInside('/srv/www', ['docs', 'guide.html']);
 * ```
 */
export async function openInside(root: string, names: readonly string[]): Promise<Found> {
  let real: string;
  try {
    real = await realpath(join(root, ...names));
  } catch (error) {
    return refusal(error);
  }
  if (!isInside(root, real)) return missing;
  let handle: FileHandle;
  try {
    handle = await open(real, openFlags);
  } catch (error) {
    return refusal(error);
  }
  let stats: Stats;
  try {
    // On the event loop, as nginx does: fstat of an open descriptor reads the inode that open
    // brought in, no disk I/O; a thread pool round trip per file less (4 KiB files: ~1.15x req/s).
    stats = fstatSync(handle.fd);
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (stats.isFile()) return { kind: 'file', handle, stats, real };
  await handle.close();
  return stats.isDirectory() ? { kind: 'folder', real } : missing;
}
