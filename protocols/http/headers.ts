/**
 * `HttpHeaders`: an HTTP field section that keeps what the wire said (order, duplicates, the
 * casing of each name) and looks names up without regard to case.
 *
 * @module
 */
import { adoptFields } from './_adopt-fields.js';
import { sameToken, sameTokenAt } from './_chars.js';
import { checkField } from './_check-field.js';

/**
 * What `HttpHeaders` (and the serialisers) accept as fields: another `HttpHeaders`, `[name,
 * value]` pairs, or a record whose array values become one field each.
 */
export type HttpHeadersInit =
  | HttpHeaders
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | readonly string[]>>;

/**
 * The fields of a message head (or of a chunked body's trailer section), in the order received.
 *
 * Names keep the casing they arrived (or were given) with; every lookup ignores case. Duplicates
 * are kept as separate fields: `get` joins them with `', '` (RFC 9110 §5.3), except `Set-Cookie`,
 * whose values cannot be joined (`get` returns the first, `getAll` every one). Iterating yields
 * `[lowercase name, value]` for each field; `raw()` gives the names as received.
 *
 * Every field is valid HTTP: a name is a token, a value holds no CR, LF, NUL or other control
 * but HTAB, and no character above U+00FF (values are latin1 on the wire). The constructor,
 * `set` and `append` throw a TypeError otherwise, so a header set from user input cannot inject
 * a line into a message.
 *
 * @example
 * ```ts
 * const headers = new HttpHeaders([['Accept', 'text/html'], ['accept', 'text/plain']]);
 * headers.get('ACCEPT'); // 'text/html, text/plain'
 * headers.getAll('accept'); // ['text/html', 'text/plain']
 * headers.raw(); // [['Accept', 'text/html'], ['accept', 'text/plain']]
 * ```
 */
export class HttpHeaders implements Iterable<[string, string]> {
  /** name, value, name, value …; empty while the fields are still spans of `#text`. */
  #fields: string[] = [];
  /** A parsed head's text, whose fields are decoded only when asked for. */
  #text = '';
  /** Per field of `#text`: name start, name end, value start, value end; undefined once decoded. */
  #spans: number[] | undefined;

  /**
   * Copies `init`'s fields, in order.
   *
   * @throws TypeError for a name that is not a token or a value with a forbidden character.
   * @example
   * ```ts
   * new HttpHeaders({ 'Content-Type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2'] }).size; // 3
   * ```
   */
  constructor(init?: HttpHeadersInit) {
    if (init === undefined) return;
    if (init instanceof HttpHeaders) {
      this.#fields = init.#own().slice();
    } else if (Symbol.iterator in init) {
      for (const [name, value] of init as Iterable<readonly [string, string]>) this.append(name, value);
    } else {
      for (const name of Object.keys(init)) {
        const value = (init as Readonly<Record<string, string | readonly string[]>>)[name]!;
        if (Array.isArray(value)) for (const each of value) this.append(name, each);
        else this.append(name, value as string);
      }
    }
  }

  /**
   * The fields of a parsed head: `spans` holds, per field, the bounds in `text` of its name and of
   * its value (trimmed), all validated by the parser. Names and values become strings only when
   * asked for, so a handler that reads two fields of twenty pays for two.
   *
   * @example
   * ```ts
   * HttpHeaders[adoptFields]('Host: a', [0, 4, 6, 7]).get('host'); // 'a'
   * ```
   */
  static [adoptFields](text: string, spans: number[]): HttpHeaders {
    const headers = new HttpHeaders();
    headers.#text = text;
    headers.#spans = spans;
    return headers;
  }

  /**
   * How many fields there are, duplicates counted.
   *
   * @example
   * ```ts
   * new HttpHeaders([['a', '1'], ['A', '2']]).size; // 2
   * ```
   */
  get size(): number {
    return this.#spans === undefined ? this.#fields.length >> 1 : this.#spans.length >> 2;
  }

  /**
   * The value of the field `name` (any case): several fields of that name are joined with
   * `', '`, except `Set-Cookie`, where the first is returned. `undefined` when absent.
   *
   * @example
   * ```ts
   * new HttpHeaders([['Vary', 'a'], ['vary', 'b']]).get('Vary'); // 'a, b'
   * ```
   */
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    const size = this.size;
    let found: string | undefined;
    for (let k = 0; k < size; k++) {
      if (!this.#named(k, lower)) continue;
      if (found === undefined) {
        found = this.#value(k);
        if (lower === 'set-cookie') return found;
      } else {
        found = `${found}, ${this.#value(k)}`;
      }
    }
    return found;
  }

  /**
   * The values of every field named `name` (any case), in order.
   *
   * @example
   * ```ts
   * new HttpHeaders([['Set-Cookie', 'a=1'], ['set-cookie', 'b=2']]).getAll('set-cookie'); // ['a=1', 'b=2']
   * ```
   */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const size = this.size;
    const values: string[] = [];
    for (let k = 0; k < size; k++) if (this.#named(k, lower)) values.push(this.#value(k));
    return values;
  }

  /**
   * Whether a field named `name` (any case) is present.
   *
   * @example
   * ```ts
   * new HttpHeaders({ Host: 'a' }).has('host'); // true
   * ```
   */
  has(name: string): boolean {
    const lower = name.toLowerCase();
    const size = this.size;
    for (let k = 0; k < size; k++) if (this.#named(k, lower)) return true;
    return false;
  }

  /** Whether field `k` is named `lower` (lowercase), ignoring case. */
  #named(k: number, lower: string): boolean {
    const spans = this.#spans;
    if (spans === undefined) return sameToken(this.#fields[k * 2]!, lower);
    return sameTokenAt(this.#text, spans[k * 4]!, spans[k * 4 + 1]!, lower);
  }

  /** The value of field `k`. */
  #value(k: number): string {
    const spans = this.#spans;
    return spans === undefined
      ? this.#fields[k * 2 + 1]!
      : this.#text.slice(spans[k * 4 + 2], spans[k * 4 + 3]);
  }

  /** Decodes the fields still held as spans; returns the field array. */
  #own(): string[] {
    const spans = this.#spans;
    if (spans !== undefined) {
      const text = this.#text;
      const fields: string[] = [];
      for (let at = 0; at < spans.length; at += 4) {
        fields.push(text.slice(spans[at], spans[at + 1]), text.slice(spans[at + 2], spans[at + 3]));
      }
      this.#fields = fields;
      this.#spans = undefined;
      this.#text = '';
    }
    return this.#fields;
  }

  /**
   * Replaces every field named `name` (any case) by one field `name: value`, at the place of the
   * first (or at the end when there was none).
   *
   * @throws TypeError for an invalid name or value.
   * @example
   * ```ts
   * new HttpHeaders([['a', '1'], ['b', '2'], ['A', '3']]).set('a', '4').raw(); // [['a', '4'], ['b', '2']]
   * ```
   */
  set(name: string, value: string): this {
    checkField(name, value);
    const lower = name.toLowerCase();
    const fields = this.#own();
    let kept = -1;
    let to = 0;
    for (let from = 0; from < fields.length; from += 2) {
      if (sameToken(fields[from]!, lower)) {
        if (kept >= 0) continue;
        kept = to;
        fields[to] = name;
        fields[to + 1] = value;
      } else if (to !== from) {
        fields[to] = fields[from]!;
        fields[to + 1] = fields[from + 1]!;
      }
      to += 2;
    }
    fields.length = to;
    if (kept < 0) fields.push(name, value);
    return this;
  }

  /**
   * Adds a field at the end, after any of the same name.
   *
   * @throws TypeError for an invalid name or value.
   * @example
   * ```ts
   * new HttpHeaders().append('Set-Cookie', 'a=1').append('Set-Cookie', 'b=2').size; // 2
   * ```
   */
  append(name: string, value: string): this {
    checkField(name, value);
    this.#own().push(name, value);
    return this;
  }

  /**
   * Removes every field named `name` (any case); says whether there was one.
   *
   * @example
   * ```ts
   * new HttpHeaders({ Host: 'a' }).delete('HOST'); // true
   * ```
   */
  delete(name: string): boolean {
    const lower = name.toLowerCase();
    const fields = this.#own();
    let to = 0;
    for (let from = 0; from < fields.length; from += 2) {
      if (sameToken(fields[from]!, lower)) continue;
      fields[to] = fields[from]!;
      fields[to + 1] = fields[from + 1]!;
      to += 2;
    }
    const removed = to !== fields.length;
    fields.length = to;
    return removed;
  }

  /**
   * The fields as `[name, value]` pairs, names cased as received, in order (a new array).
   *
   * @example
   * ```ts
   * new HttpHeaders([['X-ID', '7']]).raw(); // [['X-ID', '7']]
   * ```
   */
  raw(): [string, string][] {
    const fields = this.#own();
    const pairs: [string, string][] = [];
    for (let i = 0; i < fields.length; i += 2) pairs.push([fields[i]!, fields[i + 1]!]);
    return pairs;
  }

  /**
   * Yields `[lowercase name, value]` for each field, in order, duplicates included.
   *
   * @example
   * ```ts
   * [...new HttpHeaders({ 'Content-Type': 'text/plain' })]; // [['content-type', 'text/plain']]
   * ```
   */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const fields = this.#own();
    for (let i = 0; i < fields.length; i += 2) yield [fields[i]!.toLowerCase(), fields[i + 1]!];
  }

  /**
   * The fields as they go on the wire: `name: value` lines, each ended by CRLF (latin1 text).
   *
   * @example
   * ```ts
   * String(new HttpHeaders({ Host: 'a' })); // 'Host: a\r\n'
   * ```
   */
  toString(): string {
    const fields = this.#own();
    let text = '';
    for (let i = 0; i < fields.length; i += 2) text += `${fields[i]}: ${fields[i + 1]}\r\n`;
    return text;
  }
}
