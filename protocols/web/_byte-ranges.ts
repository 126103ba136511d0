/**
 * The `Range` request header (RFC 9110 §14.2) for byte ranges of a file, as nginx reads it, and
 * the `multipart/byteranges` body (RFC 9110 §14.6) for several. Private to protocols/web.
 *
 * @module
 */

/**
 * Bytes `start` to `end` of a representation, both included (as `Content-Range` counts).
 *
 * @example
 * ```ts
 * const firstKiB: ByteRange = { start: 0, end: 1023 };
 * ```
 */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * What a `Range` header asks of a representation: all of it (no header, or one to ignore), nothing
 * it has (416), or some ranges of it, in the order asked.
 *
 * @example
 * ```ts
 * const plan: RangePlan = { kind: 'ranges', ranges: [{ start: 0, end: 99 }] };
 * ```
 */
export type RangePlan =
  | { readonly kind: 'whole' }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'ranges'; readonly ranges: readonly ByteRange[] };

const whole: RangePlan = { kind: 'whole' };
const spec = /^(?:(\d+)-(\d*)|-(\d+))$/;

/**
 * Reads a `Range` header against a representation of `size` bytes. Like nginx: a unit other than
 * `bytes` or any malformed range (`5-2`, `abc`) makes the header ignored (the whole
 * representation, 200); a range starting past the end is dropped, and when none is left the
 * answer is 416; more than `maxRanges` ranges (nginx's `max_ranges`), or ranges whose lengths add
 * up to more than the representation (overlapping ranges asking for the same bytes again and
 * again), make the header ignored too. Ranges are neither merged nor reordered.
 *
 * @example
 * ```ts
 * parseRange('bytes=0-99, -100', 1000, 16); // ranges 0-99 and 900-999
 * parseRange('bytes=2000-', 1000, 16); // { kind: 'unsatisfiable' }
 * parseRange('items=0-1', 1000, 16); // { kind: 'whole' }
 * ```
 */
export function parseRange(value: string | undefined, size: number, maxRanges: number): RangePlan {
  if (value === undefined) return whole;
  const equals = value.indexOf('=');
  if (equals < 0 || value.slice(0, equals).trim().toLowerCase() !== 'bytes') return whole;
  const ranges: ByteRange[] = [];
  let asked = 0;
  let total = 0;
  for (const item of value.slice(equals + 1).split(',')) {
    const text = item.trim();
    if (text === '') continue; // empty list elements are allowed (RFC 9110 §5.6.1)
    const match = spec.exec(text);
    if (match === null) return whole;
    if (++asked > maxRanges) return whole;
    let start: number;
    let end: number;
    if (match[3] !== undefined) {
      const suffix = Number(match[3]);
      if (suffix === 0 || size === 0) continue;
      start = Math.max(size - suffix, 0);
      end = size - 1;
    } else {
      start = Number(match[1]);
      const last = match[2] === '' ? Number.POSITIVE_INFINITY : Number(match[2]);
      if (last < start) return whole;
      if (start >= size) continue;
      end = Math.min(last, size - 1);
    }
    total += end - start + 1;
    if (total > size) return whole;
    ranges.push({ start, end });
  }
  if (asked === 0) return whole;
  return ranges.length === 0 ? { kind: 'unsatisfiable' } : { kind: 'ranges', ranges };
}

/**
 * The `Content-Range` value of `range` in a representation of `size` bytes.
 *
 * @example
 * ```ts
 * contentRange({ start: 0, end: 99 }, 1000); // 'bytes 0-99/1000'
 * ```
 */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/**
 * One part of a `multipart/byteranges` body: its delimiter and header lines, then bytes
 * `start`..`end` of the file.
 *
 * @example
 * ```ts
 * const part: BodyPart = { head: '\r\n--b\r\nContent-Range: bytes 0-1/9\r\n\r\n', start: 0, end: 1 };
 * ```
 */
export interface BodyPart extends ByteRange {
  /** What precedes the bytes (ASCII). */
  readonly head: string;
}

/**
 * A `multipart/byteranges` body, laid out: its parts, what closes it, and its exact length.
 *
 * @example
 * ```ts
 * const { parts, tail, length } = multipartByteranges(ranges, 1000, 'text/plain', 'b0undary');
 * ```
 */
export interface Multipart {
  readonly parts: readonly BodyPart[];
  readonly tail: string;
  readonly length: number;
}

/**
 * Lays out the `multipart/byteranges` body of `ranges` of a representation of `size` bytes and
 * type `type`, with `boundary` (as nginx: each part opens with CRLF, the delimiter, its
 * `Content-Type` and `Content-Range`; the close delimiter ends it).
 *
 * @example
 * ```ts
 * multipartByteranges([{ start: 0, end: 0 }], 9, 'text/plain', 'b').tail; // '\r\n--b--\r\n'
 * ```
 */
export function multipartByteranges(
  ranges: readonly ByteRange[],
  size: number,
  type: string,
  boundary: string,
): Multipart {
  let length = 0;
  const parts = ranges.map((range) => {
    const head = `\r\n--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`;
    length += head.length + range.end - range.start + 1;
    return { head, start: range.start, end: range.end };
  });
  const tail = `\r\n--${boundary}--\r\n`;
  return { parts, tail, length: length + tail.length };
}
