/**
 * The media type of a file from its extension: our own table, modelled on nginx's `mime.types`
 * (no dependency on the `mime-types` package), brought up to date where the registrations moved
 * on (`text/javascript` for scripts, RFC 9239), and what may be compressed. Private to
 * protocols/web.
 *
 * @module
 */

/** Media types, each with the extensions (lower case, no dot) that name it. */
const table: Readonly<Record<string, string>> = {
  'text/html': 'html htm shtml',
  'text/css': 'css',
  'text/xml': 'xml',
  'text/javascript': 'js mjs cjs',
  'text/plain': 'txt text log conf ini',
  'text/markdown': 'md markdown',
  'text/csv': 'csv',
  'text/calendar': 'ics',
  'text/mathml': 'mml',
  'text/vnd.sun.j2me.app-descriptor': 'jad',
  'text/vnd.wap.wml': 'wml',
  'text/x-component': 'htc',
  'text/vtt': 'vtt',
  'image/gif': 'gif',
  'image/jpeg': 'jpeg jpg',
  'image/avif': 'avif',
  'image/png': 'png',
  'image/apng': 'apng',
  'image/svg+xml': 'svg',
  'image/tiff': 'tif tiff',
  'image/vnd.wap.wbmp': 'wbmp',
  'image/webp': 'webp',
  'image/x-icon': 'ico',
  'image/x-jng': 'jng',
  'image/bmp': 'bmp',
  'font/woff': 'woff',
  'font/woff2': 'woff2',
  'font/ttf': 'ttf',
  'font/otf': 'otf',
  'application/atom+xml': 'atom',
  'application/rss+xml': 'rss',
  'application/json': 'json map',
  'application/ld+json': 'jsonld',
  'application/manifest+json': 'webmanifest',
  'application/java-archive': 'jar war ear',
  'application/mac-binhex40': 'hqx',
  'application/msword': 'doc',
  'application/pdf': 'pdf',
  'application/postscript': 'ps eps ai',
  'application/rtf': 'rtf',
  'application/vnd.apple.mpegurl': 'm3u8',
  'application/vnd.google-earth.kml+xml': 'kml',
  'application/vnd.google-earth.kmz': 'kmz',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.ms-fontobject': 'eot',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.oasis.opendocument.graphics': 'odg',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.wap.wmlc': 'wmlc',
  'application/wasm': 'wasm',
  'application/gzip': 'gz',
  'application/x-bzip2': 'bz2',
  'application/x-xz': 'xz',
  'application/zstd': 'zst',
  'application/x-tar': 'tar',
  'application/x-7z-compressed': '7z',
  'application/x-cocoa': 'cco',
  'application/x-java-archive-diff': 'jardiff',
  'application/x-java-jnlp-file': 'jnlp',
  'application/x-makeself': 'run',
  'application/x-perl': 'pl pm',
  'application/x-pilot': 'prc pdb',
  'application/vnd.rar': 'rar',
  'application/x-redhat-package-manager': 'rpm',
  'application/x-sea': 'sea',
  'application/x-shockwave-flash': 'swf',
  'application/x-stuffit': 'sit',
  'application/x-tcl': 'tcl tk',
  'application/x-x509-ca-cert': 'der pem crt',
  'application/x-xpinstall': 'xpi',
  'application/xhtml+xml': 'xhtml',
  'application/xspf+xml': 'xspf',
  'application/zip': 'zip',
  'application/octet-stream': 'bin exe dll deb dmg iso img msi msp msm',
  'audio/midi': 'mid midi kar',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg oga opus',
  'audio/flac': 'flac',
  'audio/wav': 'wav',
  'audio/x-m4a': 'm4a',
  'audio/x-realaudio': 'ra',
  'video/3gpp': '3gpp 3gp',
  'video/mp2t': 'ts',
  'video/mp4': 'mp4',
  'video/mpeg': 'mpeg mpg',
  'video/ogg': 'ogv',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  'video/x-flv': 'flv',
  'video/x-m4v': 'm4v',
  'video/x-mng': 'mng',
  'video/x-ms-asf': 'asx asf',
  'video/x-ms-wmv': 'wmv',
  'video/x-msvideo': 'avi',
};

/** The fallback, as nginx's `default_type`. */
const unknownType = 'application/octet-stream';

/**
 * Extension (lower case, no dot) → media type, as sent (`; charset=utf-8` added to `text/*`).
 *
 * @example
 * ```ts
 * const types = mediaTypes({ log: 'text/plain' });
 * types.get('html'); // 'text/html; charset=utf-8'
 * ```
 */
export function mediaTypes(extra: Readonly<Record<string, string>> = {}): ReadonlyMap<string, string> {
  const types = new Map<string, string>();
  const add = (extension: string, type: string) =>
    types.set(extension.toLowerCase(), type.startsWith('text/') ? `${type}; charset=utf-8` : type);
  for (const [type, extensions] of Object.entries(table)) {
    for (const extension of extensions.split(' ')) add(extension, type);
  }
  for (const [extension, type] of Object.entries(extra)) add(extension.replace(/^\./, ''), type);
  return types;
}

/**
 * The media type of the file `name` by its last extension, from `types`; `application/octet-stream`
 * when it has none or an unknown one.
 *
 * @example
 * ```ts
 * mediaTypeOf(mediaTypes(), 'app.JS'); // 'text/javascript; charset=utf-8'
 * ```
 */
export function mediaTypeOf(types: ReadonlyMap<string, string>, name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return unknownType;
  return types.get(name.slice(dot + 1).toLowerCase()) ?? unknownType;
}

/** Types outside text/* that compress well (the rest are compressed already, or binary). */
const compressibleTypes = new Set([
  'application/json',
  'application/ld+json',
  'application/manifest+json',
  'application/xml',
  'application/xhtml+xml',
  'application/atom+xml',
  'application/rss+xml',
  'application/wasm',
  'application/postscript',
  'application/rtf',
  'application/vnd.ms-fontobject',
  'image/svg+xml',
  'image/x-icon',
  'image/bmp',
  'font/ttf',
  'font/otf',
]);

/**
 * Whether a body of media type `type` (parameters allowed) is worth compressing: `text/*`, JSON
 * and XML (`+json`, `+xml` suffixes too), JavaScript, SVG, WebAssembly, uncompressed fonts.
 *
 * @example
 * ```ts
 * isCompressible('text/css; charset=utf-8'); // true
 * isCompressible('image/png'); // false
 * ```
 */
export function isCompressible(type: string): boolean {
  const semicolon = type.indexOf(';');
  const bare = (semicolon < 0 ? type : type.slice(0, semicolon)).trim().toLowerCase();
  return (
    bare.startsWith('text/') || bare.endsWith('+json') || bare.endsWith('+xml') || compressibleTypes.has(bare)
  );
}
