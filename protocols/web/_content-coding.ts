/**
 * `Accept-Encoding` (RFC 9110 §12.5.3): how much a client wants each content coding, and which of
 * the codings a server can make it gets. Private to protocols/web.
 *
 * @module
 */

/**
 * A content coding static files are served in: compressed with Brotli or gzip, or as they are.
 *
 * @example
 * ```ts
 * const coding: ContentCoding = 'br';
 * ```
 */
export type ContentCoding = 'br' | 'gzip' | 'identity';

const qvalue = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The quality (0 to 1) an `Accept-Encoding` value gives each coding. No header: `identity` only
 * (RFC 9110 allows any coding then, but nothing is gained by guessing). A coding listed has its
 * `q` (default 1; `x-gzip` is `gzip`); one not listed has the quality of `*`, or 0; `identity` is
 * acceptable unless refused by `identity;q=0`, or by `*;q=0` with no entry of its own. An element
 * with a malformed `q` is ignored.
 *
 * @example
 * ```ts
 * const quality = encodingQualities('gzip;q=0.5, br, identity;q=0');
 * quality('br'); // 1
 * quality('gzip'); // 0.5
 * quality('identity'); // 0
 * ```
 */
export function encodingQualities(value: string | undefined): (coding: ContentCoding) => number {
  if (value === undefined) return (coding) => (coding === 'identity' ? 1 : 0);
  const listed = new Map<string, number>();
  for (const element of value.split(',')) {
    const [name = '', ...parameters] = element.split(';');
    let coding = name.trim().toLowerCase();
    if (coding === '') continue;
    if (coding === 'x-gzip') coding = 'gzip';
    let quality = 1;
    for (const parameter of parameters) {
      const equals = parameter.indexOf('=');
      if (equals < 0 || parameter.slice(0, equals).trim().toLowerCase() !== 'q') continue;
      const text = parameter.slice(equals + 1).trim();
      quality = qvalue.test(text) ? Number(text) : Number.NaN;
    }
    if (!Number.isNaN(quality)) listed.set(coding, Math.max(quality, listed.get(coding) ?? 0));
  }
  const any = listed.get('*');
  return (coding) => listed.get(coding) ?? (coding === 'identity' ? (any ?? 1) : (any ?? 0));
}

/**
 * The coding of `offered` the client wants most (quality above 0), earlier ones winning ties;
 * `undefined` when it accepts none of them.
 *
 * @example
 * ```ts
 * chooseCoding(encodingQualities('gzip, br'), ['br', 'gzip', 'identity']); // 'br'
 * ```
 */
export function chooseCoding(
  quality: (coding: ContentCoding) => number,
  offered: readonly ContentCoding[],
): ContentCoding | undefined {
  let best: ContentCoding | undefined;
  let bestQuality = 0;
  for (const coding of offered) {
    const q = quality(coding);
    if (q > bestQuality) {
      best = coding;
      bestQuality = q;
    }
  }
  return best;
}
