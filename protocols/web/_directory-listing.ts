/**
 * A folder's HTML listing for static files (Twisted's `DirectoryLister`, nginx's `autoindex`):
 * its entries read within the root, sorted, and rendered with every name escaped. Private to
 * protocols/web.
 *
 * @module
 */
import { opendir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isInside } from './_open-inside.js';

/**
 * One entry of a listing: a file or a folder, its size in bytes and modification time in
 * milliseconds since the epoch.
 *
 * @example
 * ```ts
 * const entry: ListingEntry = { name: 'notes.txt', folder: false, size: 1200, modified: 1_700_000_000_000 };
 * ```
 */
export interface ListingEntry {
  readonly name: string;
  readonly folder: boolean;
  readonly size: number;
  readonly modified: number;
}

/**
 * What a listing shows: its entries, sorted, and whether there were more than it holds.
 *
 * @example
 * ```ts
 * const listing: Listing = { entries: [], truncated: false };
 * ```
 */
export interface Listing {
  readonly entries: readonly ListingEntry[];
  readonly truncated: boolean;
}

/** Folders first, then by name (code units: the same order everywhere). */
function byKindThenName(a: ListingEntry, b: ListingEntry): number {
  if (a.folder !== b.folder) return a.folder ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Reads the folder `real` (a real path inside `root`): its regular files and folders, links
 * followed, leaving out names starting with a dot (unless `dotfiles`), links that resolve outside
 * the root or nowhere, special files, and entries that cannot be read; at most `maxEntries`
 * (reading stops there, and the listing says it is truncated).
 *
 * @example
 * ```ts
 * const listing = await readListing('/srv/www', '/srv/www/docs', false, 10_000);
 * ```
 */
export async function readListing(
  root: string,
  real: string,
  dotfiles: boolean,
  maxEntries: number,
): Promise<Listing> {
  const entries: ListingEntry[] = [];
  let truncated = false;
  for await (const entry of await opendir(real)) {
    if (!dotfiles && entry.name.startsWith('.')) continue;
    if (entries.length === maxEntries) {
      truncated = true;
      break; // leaving the loop closes the folder
    }
    const path = join(real, entry.name);
    try {
      if (entry.isSymbolicLink() && !isInside(root, await realpath(path))) continue;
      const stats = await stat(path);
      if (!stats.isFile() && !stats.isDirectory()) continue;
      entries.push({
        name: entry.name,
        folder: stats.isDirectory(),
        size: stats.size,
        modified: stats.mtimeMs,
      });
    } catch {
      // gone since it was listed, a dangling link, or not ours to read: not shown
    }
  }
  return { entries: entries.sort(byKindThenName), truncated };
}

const htmlEscapes: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * `text` with the characters that mean something in HTML (`& < > " '`) escaped, for element text
 * and quoted attribute values alike.
 *
 * @example
 * ```ts
 * escapeHtml('<a href="x">'); // '&lt;a href=&quot;x&quot;&gt;'
 * ```
 */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEscapes[char]!);
}

/** `YYYY-MM-DD HH:MM` in UTC. */
function shortDate(milliseconds: number): string {
  return new Date(milliseconds).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The listing of the folder at URL path `title` (decoded, ending with `/`) as an HTML page: a
 * table of links (relative, each name percent-encoded, then HTML-escaped), sizes in bytes and
 * modification times in UTC, a link up unless the folder is the root, and a note when truncated.
 *
 * @example
 * ```ts
 * renderListing('/docs/', { entries: [{ name: 'a&b.txt', folder: false, size: 3, modified: 0 }], truncated: false });
 * // … <a href="a%26b.txt">a&amp;b.txt</a> …
 * ```
 */
export function renderListing(title: string, listing: Listing): string {
  const heading = escapeHtml(`Index of ${title}`);
  const rows: string[] = [];
  if (title !== '/') rows.push('<tr><td><a href="../">../</a></td><td></td><td></td></tr>');
  for (const entry of listing.entries) {
    const suffix = entry.folder ? '/' : '';
    const href = escapeHtml(encodeURIComponent(entry.name) + suffix);
    const size = entry.folder ? '-' : String(entry.size);
    rows.push(
      `<tr><td><a href="${href}">${escapeHtml(entry.name + suffix)}</a></td>` +
        `<td class="size">${size}</td><td>${shortDate(entry.modified)}</td></tr>`,
    );
  }
  const more = listing.truncated ? '<p>More entries are not shown.</p>\n' : '';
  return (
    `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>${heading}</title>\n` +
    '<style>td, th { padding: 0 1em; text-align: left; } td.size { text-align: right; }</style>\n' +
    `</head>\n<body>\n<h1>${heading}</h1>\n<table>\n` +
    '<thead><tr><th>Name</th><th>Size</th><th>Last modified (UTC)</th></tr></thead>\n' +
    `<tbody>\n${rows.join('\n')}\n</tbody>\n</table>\n${more}</body>\n</html>\n`
  );
}
