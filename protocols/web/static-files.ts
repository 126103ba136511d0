/**
 * `staticFiles`: a folder served over HTTP (Twisted's `static.File`, nginx's `root`), with
 * validators and conditional requests, byte ranges, compression and folder listings, confined to
 * its root.
 *
 * @module
 */
import { realpath } from 'node:fs/promises';
import type { Transform } from 'node:stream';
import { createBrotliCompress, createGzip, constants as zlib } from 'node:zlib';
import { fileChunkSize } from '../../source/_file-chunks.js';
import { randomHex } from '../../source/_random-hex.js';
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import type { HttpHandler } from '../http/server.js';
import { contentRange, multipartByteranges, parseRange, type RangePlan } from './_byte-ranges.js';
import { entityTag, evaluatePreconditions, httpDate, ifRangeHolds, type Validators } from './_conditional.js';
import { type ContentCoding, encodingQualities } from './_content-coding.js';
import { readListing, renderListing } from './_directory-listing.js';
import { FileBody, readWhole } from './_file-body.js';
import { isCompressible, mediaTypeOf, mediaTypes } from './_mime-types.js';
import { type Found, openInside } from './_open-inside.js';
import { requestedPath } from './_request-path.js';

export { FileChangedError } from './_file-body.js';

/**
 * Options of `staticFiles`.
 *
 * @example
 * ```ts
 * const site = staticFiles('./public', { listing: true, index: ['index.html', 'index.htm'], types: { mdx: 'text/markdown' } });
 * ```
 */
export interface StaticFilesOptions {
  /** The files a folder's URL (ending with `/`) serves, the first that exists. Default `['index.html']`. */
  index?: readonly string[];
  /**
   * Whether a folder with no index file gets an HTML listing of its entries; without one, 403.
   * Default false, as nginx's `autoindex` (Twisted lists by default; a listing shows more than a
   * site usually means to).
   */
  listing?: boolean;
  /** The most entries a listing shows (reading stops there). Default 10,000. */
  maxListingEntries?: number;
  /** Whether names starting with a dot (`.git`, `.env`) are served and listed. Default false: 404. */
  dotfiles?: boolean;
  /** Whether compressible types are compressed on the fly (gzip, Brotli) for clients that accept it. Default true. */
  compress?: boolean;
  /** The smallest file compressed on the fly, in bytes. Default 1024. */
  minCompressBytes?: number;
  /** Whether a `.br` or `.gz` file beside a compressible file, not older than it, is served in its place. Default true. */
  precompressed?: boolean;
  /** The most ranges one `Range` header may ask for; past it, the whole file is sent (nginx's `max_ranges`). Default 16. */
  maxRanges?: number;
  /** Extra or different media types, by extension (`{ mdx: 'text/markdown' }`); `text/*` get `charset=utf-8`. */
  types?: Readonly<Record<string, string>>;
}

/** What the handler keeps of its options, checked. */
interface Settings {
  readonly index: readonly string[];
  readonly listing: boolean;
  readonly maxListingEntries: number;
  readonly dotfiles: boolean;
  readonly compress: boolean;
  readonly minCompressBytes: number;
  readonly precompressed: boolean;
  readonly maxRanges: number;
  readonly types: ReadonlyMap<string, string>;
}

/** A file found and open: its handle and stats, and the name its media type comes from. */
type OpenFile = Extract<Found, { kind: 'file' }>;

const textHeaders = { 'Content-Type': 'text/plain; charset=utf-8' } as const;
const allowed = 'GET, HEAD';

/** A short plain-text answer: `404 Not Found` and the like. */
function plain(status: number, reason: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { ...textHeaders, ...headers }, body: `${status} ${reason}\n` };
}

function whole(name: string, value: number | undefined, fallback: number, least: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value >= least)) {
    throw new RangeError(`${name} must be a whole number of at least ${least}, not ${value}`);
  }
  return value;
}

/**
 * The compressor for an on-the-fly coding: gzip at zlib's level 6; Brotli at quality 4, which keeps
 * up with a connection (11 does not), with a 512 KiB window (as ngx_brotli's default), which bounds
 * the input it holds before its output.
 */
function compressorFor(coding: ContentCoding, size: number): () => Transform {
  if (coding === 'gzip') return () => createGzip();
  return () =>
    createBrotliCompress({
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 4,
        [zlib.BROTLI_PARAM_LGWIN]: 19,
        [zlib.BROTLI_PARAM_SIZE_HINT]: size,
      },
    });
}

const siblingSuffix = { br: '.br', gzip: '.gz' } as const;

/**
 * Serves the files below `root` (Twisted's `static.File`, nginx's `root`), GET and HEAD only
 * (405 with `Allow` otherwise).
 *
 * - **Confined to the root.** The request path is decoded once; `..`, `.` and segments holding
 *   `/`, `\` or NUL once decoded (`%2e%2e`, `%2f`, `%5c`, `%00`), malformed percent-encoding, and
 *   links that resolve outside the root (checked with `realpath`) all answer 404, as do names
 *   starting with a dot unless `dotfiles`, and anything but regular files and folders (a FIFO is
 *   never opened for good). A file the process may not read answers 403.
 * - **Types and validators.** `Content-Type` from the extension (our table, modelled on nginx's
 *   `mime.types`; `charset=utf-8` on `text/*`); a strong `ETag` from size and modification time
 *   (as nginx's), `Last-Modified`, and `Accept-Ranges: bytes`.
 * - **Conditional requests** (RFC 9110 §13.2.2 order): `If-Match`/`If-Unmodified-Since` → 412;
 *   `If-None-Match` (`*` or a list, weak comparison) or, without it, `If-Modified-Since` → 304.
 * - **Ranges** (GET only): one range → 206 with `Content-Range`; several → 206
 *   `multipart/byteranges`; none satisfiable → 416 with `Content-Range: bytes *​/size`; read as
 *   nginx does (more than `maxRanges`, or overlaps asking for more bytes than the file has: the
 *   whole file, 200). `If-Range` (a strong ETag, or the exact `Last-Modified` date) gates them.
 * - **Compression**, for compressible types (text, JSON, JavaScript, SVG, XML …): a `.br` or
 *   `.gz` sibling not older than the file is sent as it is (`Content-Encoding` set, the
 *   original's `Content-Type`, its own ETag and length); otherwise a file of `minCompressBytes`
 *   or more is compressed on the fly (streamed through `node:zlib`, chunked, with a weak ETag, as
 *   nginx makes it), as the client's `Accept-Encoding` q-values ask (Brotli before gzip on ties,
 *   identity after them). Such responses say `Vary: Accept-Encoding`. A `Range` request gets
 *   identity ranges, never compressed ones. A client that refuses identity (`identity;q=0`) gets
 *   a compressed body whatever the type and size, or 406 when it accepts nothing we make.
 * - **Folders**: without a trailing slash, 301 to the slash form (a relative `Location`, the
 *   query kept); with it, the first `index` file, else a listing (if `listing`: every name
 *   HTML-escaped and URL-encoded, folders first, then by name, with sizes and UTC dates), else 403.
 * - **Streaming.** Files up to 256 KiB are read whole; larger ones are read 256 KiB at a time as
 *   the connection drains, so a slow client costs no more memory than a fast one. The file is
 *   closed on every path: the body read through, a HEAD request, a client gone before or during
 *   the body, a failure (the server drops a response cut short).
 *
 * @throws RangeError for an option out of range, or an index name that is not a plain file name.
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { httpServer } from 'spindle/protocols/http';
 * import { staticFiles } from 'spindle/protocols/web';
 *
 * listen('tcp:8080', httpServer(staticFiles('./public', { listing: true })));
 * ```
 */
export function staticFiles(root: string, options: StaticFilesOptions = {}): HttpHandler {
  const index = options.index ?? ['index.html'];
  for (const name of index) {
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
      throw new RangeError(`an index file is a name in the folder, not ${JSON.stringify(name)}`);
    }
  }
  const settings: Settings = {
    index,
    listing: options.listing ?? false,
    maxListingEntries: whole('maxListingEntries', options.maxListingEntries, 10_000, 1),
    dotfiles: options.dotfiles ?? false,
    compress: options.compress ?? true,
    minCompressBytes: whole('minCompressBytes', options.minCompressBytes, 1024, 0),
    precompressed: options.precompressed ?? true,
    maxRanges: whole('maxRanges', options.maxRanges, 16, 1),
    types: mediaTypes(options.types),
  };
  let realRoot: Promise<string> | undefined;
  const rootPath = (): Promise<string> =>
    (realRoot ??= realpath(root).catch((error: unknown) => {
      realRoot = undefined; // tried again on the next request
      throw error;
    }));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'Method Not Allowed', { Allow: allowed });
    }
    const path = requestedPath(request.path, settings.dotfiles);
    if (path === undefined) return plain(404, 'Not Found');
    const real = await rootPath();
    const found = await openInside(real, path.names);
    if (found.kind === 'file') {
      if (!path.folder) return serveFile(request, settings, real, path.names, found);
      await found.handle.close();
      return plain(404, 'Not Found');
    }
    if (found.kind === 'forbidden') return plain(403, 'Forbidden');
    if (found.kind === 'missing') return plain(404, 'Not Found');
    if (!path.folder) {
      const target = request.target;
      const query = target.indexOf('?');
      const name = encodeURIComponent(path.names.at(-1)!);
      return plain(301, 'Moved Permanently', { Location: `${name}/${query < 0 ? '' : target.slice(query)}` });
    }
    for (const index of settings.index) {
      const names = [...path.names, index];
      const file = await openInside(real, names);
      if (file.kind === 'file') return serveFile(request, settings, real, names, file);
    }
    if (!settings.listing) return plain(403, 'Forbidden');
    const listing = await readListing(real, found.real, settings.dotfiles, settings.maxListingEntries);
    const title = `/${path.names.map((name) => `${name}/`).join('')}`;
    return { headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: renderListing(title, listing) };
  };
}

/** A representation chosen to send: the file's bytes as they are, a sibling's, or the file compressed now. */
interface Representation {
  readonly file: OpenFile;
  readonly coding: ContentCoding;
  readonly onTheFly: boolean;
}

/**
 * Chooses what to send of `file` for `request`: a precompressed sibling, the file compressed on
 * the fly, or the file as it is; `undefined` when the client accepts none of them (406).
 */
async function choose(
  request: HttpRequest,
  settings: Settings,
  root: string,
  names: readonly string[],
  file: OpenFile,
  compressible: boolean,
): Promise<Representation | undefined> {
  const quality = encodingQualities(request.headers.get('accept-encoding'));
  const identity = quality('identity');
  const ranged = request.method === 'GET' && request.headers.has('range') && identity > 0;
  if (ranged || !(compressible || identity === 0)) return identity > 0 ? plainFile(file) : undefined;
  const wanted = (['br', 'gzip'] as const)
    .filter((coding) => quality(coding) > 0 && quality(coding) >= identity)
    .sort((a, b) => quality(b) - quality(a));
  if (settings.precompressed && compressible) {
    for (const coding of wanted) {
      const last = names.at(-1)!;
      const sibling = await openInside(root, [...names.slice(0, -1), last + siblingSuffix[coding]]);
      if (sibling.kind !== 'file') continue;
      if (sibling.stats.mtimeMs >= file.stats.mtimeMs) {
        await file.handle.close();
        return { file: sibling, coding, onTheFly: false };
      }
      await sibling.handle.close();
    }
  }
  const first = wanted[0];
  if (
    settings.compress &&
    first !== undefined &&
    (file.stats.size >= settings.minCompressBytes || identity === 0)
  ) {
    return { file, coding: first, onTheFly: true };
  }
  return identity > 0 ? plainFile(file) : undefined;
}

function plainFile(file: OpenFile): Representation {
  return { file, coding: 'identity', onTheFly: false };
}

/** Answers with the open file `file` (found at `names`), closing it unless a body takes it over. */
async function serveFile(
  request: HttpRequest,
  settings: Settings,
  root: string,
  names: readonly string[],
  file: OpenFile,
): Promise<HttpResponse> {
  let open = file;
  try {
    const type = mediaTypeOf(settings.types, names.at(-1)!);
    const compressible = isCompressible(type);
    const chosen = await choose(request, settings, root, names, file, compressible);
    const vary =
      (settings.compress || settings.precompressed) && (compressible || chosen?.coding !== 'identity');
    const varyHeaders: Record<string, string> = vary ? { Vary: 'Accept-Encoding' } : {};
    if (chosen === undefined) {
      await file.handle.close();
      return plain(406, 'Not Acceptable', varyHeaders);
    }
    open = chosen.file;
    const { size, mtimeMs } = open.stats;
    const tag = entityTag(size, mtimeMs);
    const validators: Validators = {
      etag: chosen.onTheFly ? `W/${tag}` : tag,
      lastModified: Math.floor(mtimeMs / 1000),
    };
    const headers: Record<string, string> = {
      'Content-Type': type,
      ETag: validators.etag,
      'Last-Modified': httpDate(validators.lastModified),
      'Accept-Ranges': 'bytes',
      ...varyHeaders,
    };
    if (chosen.coding !== 'identity') headers['Content-Encoding'] = chosen.coding;
    const precondition = evaluatePreconditions(request.headers, validators);
    if (precondition !== 'proceed') {
      await open.handle.close();
      if (precondition === 'failed') return plain(412, 'Precondition Failed', varyHeaders);
      return {
        status: 304,
        headers: { ETag: headers.ETag!, 'Last-Modified': headers['Last-Modified']!, ...varyHeaders },
      };
    }
    if (chosen.onTheFly) {
      return {
        headers,
        body: new FileBody(
          open.handle,
          [{ head: '', start: 0, end: size - 1 }],
          '',
          compressorFor(chosen.coding, size),
        ),
      };
    }
    const plan: RangePlan =
      request.method === 'GET' && ifRangeHolds(request.headers.get('if-range'), validators)
        ? parseRange(request.headers.get('range'), size, settings.maxRanges)
        : { kind: 'whole' };
    if (plan.kind === 'unsatisfiable') {
      await open.handle.close();
      return plain(416, 'Range Not Satisfiable', { ...varyHeaders, 'Content-Range': `bytes */${size}` });
    }
    if (plan.kind === 'ranges' && plan.ranges.length === 1) {
      const range = plan.ranges[0]!;
      headers['Content-Range'] = contentRange(range, size);
      headers['Content-Length'] = String(range.end - range.start + 1);
      return { status: 206, headers, body: new FileBody(open.handle, [{ head: '', ...range }]) };
    }
    if (plan.kind === 'ranges') {
      const boundary = randomHex(12);
      const multipart = multipartByteranges(plan.ranges, size, type, boundary);
      headers['Content-Type'] = `multipart/byteranges; boundary=${boundary}`;
      headers['Content-Length'] = String(multipart.length);
      return { status: 206, headers, body: new FileBody(open.handle, multipart.parts, multipart.tail) };
    }
    headers['Content-Length'] = String(size);
    if (request.method === 'GET' && size <= fileChunkSize) {
      const bytes = await readWhole(open.handle, size);
      await open.handle.close();
      return { headers, body: bytes };
    }
    return { headers, body: new FileBody(open.handle, [{ head: '', start: 0, end: size - 1 }]) };
  } catch (error) {
    await open.handle.close().catch(() => undefined);
    throw error;
  }
}
