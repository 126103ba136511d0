/**
 * `indexOfDelimiter`: where a byte sequence next occurs in a Buffer, searching for its first byte
 * with `indexOf` (memchr) and checking the rest, which for short delimiters such as CRLF beats a
 * Buffer needle on every line.
 *
 * @module
 */

/**
 * The index of the first whole occurrence of `delimiter` in `bytes[from, end)`, or -1.
 *
 * @example
 * ```ts
 * indexOfDelimiter(Buffer.from('a\rb\r\n'), Buffer.from('\r\n'), 0, 5); // 3
 * ```
 */
export function indexOfDelimiter(bytes: Buffer, delimiter: Buffer, from: number, end: number): number {
  const first = delimiter[0]!;
  const length = delimiter.length;
  for (let at = from; ; at++) {
    at = bytes.indexOf(first, at);
    if (at < 0 || at + length > end) return -1;
    let matched = 1;
    while (matched < length && bytes[at + matched] === delimiter[matched]) matched++;
    if (matched === length) return at;
  }
}
