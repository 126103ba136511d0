/**
 * Byte-level marble tests in virtual time: `sendWire` plays what the peer sends, `expectWire`
 * checks what the protocol wrote, frame by frame, on a `StringTransport` and a virtual `Clock`.
 *
 * @module
 */
import { AssertionError } from 'node:assert';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock, ReactorTime } from '../clock.js';
import { ConnectionLost } from '../errors.js';
import type { StringTransport } from './string-transport.js';

/** What the characters of a marble stand for: bytes, or text sent as UTF-8. */
export type WireValues = Readonly<Record<string, Uint8Array | string>>;

/** Options of `expectWire`. */
export interface WireOptions {
  /** Virtual seconds per frame. Default 1. */
  frame?: number;
}

/** Options of `sendWire`. */
export interface SendWireOptions extends WireOptions {
  /** What `#` resets the connection with. Default a `ConnectionLost`. */
  error?: Error;
}

/** One frame of a marble: the values in it, and whether the connection ends or breaks there. */
interface Frame {
  readonly keys: readonly string[];
  readonly end: '|' | '#' | undefined;
}

/** What the protocol did during one frame. */
interface Observed {
  readonly bytes: Uint8Array;
  readonly end: '|' | '#' | undefined;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a wire marble: `-` an empty frame, any other character one value, `(ab)` several values
 * in one frame, `|` the end, `#` an error; white space is ignored.
 */
function parseMarble(marble: string): Frame[] {
  const bad = (problem: string) => new SyntaxError(`bad wire marble "${marble}": ${problem}`);
  const frames: Frame[] = [];
  let group: { keys: string[]; end: '|' | '#' | undefined } | undefined;
  for (const char of marble) {
    if (/\s/.test(char)) continue;
    if (group === undefined) {
      if (char === '(') group = { keys: [], end: undefined };
      else if (char === ')') throw bad('")" without "("');
      else if (char === '-') frames.push({ keys: [], end: undefined });
      else if (char === '|' || char === '#') frames.push({ keys: [], end: char });
      else frames.push({ keys: [char], end: undefined });
    } else if (char === ')') {
      frames.push(group);
      group = undefined;
    } else if (char === '(' || char === '-') {
      throw bad(`"${char}" inside a group`);
    } else if (group.end !== undefined) {
      throw bad(`"${char}" after "${group.end}" in a group`);
    } else if (char === '|' || char === '#') {
      group.end = char;
    } else {
      group.keys.push(char);
    }
  }
  if (group !== undefined) throw bad('"(" without ")"');
  return frames;
}

/** The bytes a marble character stands for (the character itself, as text, when there are no values). */
function bytesOf(key: string, values: WireValues | undefined): Uint8Array {
  if (values === undefined) return encoder.encode(key);
  const value = values[key];
  if (value === undefined) throw new Error(`the wire marble uses "${key}", which has no value`);
  return typeof value === 'string' ? encoder.encode(value) : value;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** Bytes as a quoted string: UTF-8 text with control characters escaped, else ASCII and `\xNN`. */
function escapeBytes(bytes: Uint8Array): string {
  let chars: string[];
  try {
    chars = Array.from(strictDecoder.decode(bytes), escapeChar);
  } catch {
    chars = Array.from(bytes, (byte) => (byte < 0x80 ? escapeChar(String.fromCharCode(byte)) : hex(byte)));
  }
  return `"${chars.join('')}"`;
}

function escapeChar(char: string): string {
  switch (char) {
    case '\r':
      return '\\r';
    case '\n':
      return '\\n';
    case '\t':
      return '\\t';
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    default: {
      const code = char.codePointAt(0)!;
      return code < 0x20 || code === 0x7f ? hex(code) : char;
    }
  }
}

function hex(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}

/** A frame's characters as a marble: `-`, one character, or a `(group)`. */
function token(keys: readonly string[], end: '|' | '#' | undefined): string {
  const parts = end === undefined ? keys : [...keys, end];
  if (parts.length === 0) return '-';
  return parts.length === 1 ? parts[0]! : `(${parts.join('')})`;
}

function describeEnd(end: '|' | '#' | undefined): string {
  return end === '|' ? 'the connection ended (|)' : end === '#' ? 'the connection aborted (#)' : 'no end';
}

/** Names written bytes for the "actual" marble: with the expected letters where they fit, else new ones. */
class ActualNamer {
  private readonly _known: [string, Uint8Array][];
  private readonly _spare: string[];
  /** Letters made up for bytes no value matches. */
  readonly invented: [string, Uint8Array][] = [];

  constructor(values: WireValues | undefined, frames: readonly Frame[]) {
    const keys = values === undefined ? new Set(frames.flatMap((frame) => frame.keys)) : Object.keys(values);
    this._known = [...keys]
      .map((key): [string, Uint8Array] => [key, bytesOf(key, values)])
      .filter(([, bytes]) => bytes.length > 0)
      .sort(([, a], [, b]) => b.length - a.length);
    const used = new Set(keys);
    this._spare = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'].filter((char) => !used.has(char));
  }

  /** The letters for `bytes`: the expected group when it matches, known values in a row, or one new letter. */
  name(bytes: Uint8Array, expectedKeys: readonly string[], expectedBytes: Uint8Array): readonly string[] {
    if (bytes.length === 0) return [];
    if (sameBytes(bytes, expectedBytes)) return expectedKeys;
    const keys: string[] = [];
    let at = 0;
    while (at < bytes.length) {
      const match = this._known.find(
        ([, value]) =>
          value.length <= bytes.length - at && sameBytes(bytes.subarray(at, at + value.length), value),
      );
      if (match === undefined) return [this._invent(bytes)];
      keys.push(match[0]);
      at += match[1].length;
    }
    return keys;
  }

  private _invent(bytes: Uint8Array): string {
    const known = this.invented.find(([, value]) => sameBytes(value, bytes));
    if (known !== undefined) return known[0];
    const letter = this._spare.shift() ?? '?';
    this.invented.push([letter, bytes]);
    return letter;
  }
}

/**
 * Plays the peer's side of a marble on `transport`, in virtual time: each frame's values are
 * `receive`d (one chunk per value) at `now + index × frame` seconds on `clock`, `|` is the peer's
 * FIN (`receiveEnd`), `#` a reset (`loseConnection` with `options.error`). `-` is a frame where
 * nothing arrives; `(ab)` delivers a and b in one frame; white space is ignored. Without `values`,
 * each character stands for itself as text. Nothing runs until the clock advances (frame 0 runs
 * on the next `advance`, even `advance(0)`), so call `expectWire(…).toBe` next, at the same time.
 *
 * ```text
 * sendWire(t, clock, '-a-(bc)|')    frame:   0 1 2 3    4
 *                                   t.receive:  a   b,c  receiveEnd()
 * ```
 *
 * @throws SyntaxError for a malformed marble; Error for a character with no value.
 * @example
 * ```ts
 * sendWire(transport, clock, '-a--b|', { a: 'HELO x\r\n', b: 'QUIT\r\n' });
 * ```
 */
export function sendWire(
  transport: StringTransport,
  clock: ReactorTime,
  marble: string,
  values?: WireValues,
  options: SendWireOptions = {},
): void {
  const frame = options.frame ?? 1;
  const deliveries = parseMarble(marble).map(({ keys, end }) => ({
    chunks: keys.map((key) => bytesOf(key, values)),
    end,
  }));
  deliveries.forEach(({ chunks, end }, index) => {
    if (chunks.length === 0 && end === undefined) return;
    clock.callLater(index * frame, () => {
      for (const chunk of chunks) transport.receive(chunk);
      if (end === '|') transport.receiveEnd();
      else if (end === '#')
        transport.loseConnection(options.error ?? new ConnectionLost('connection reset by peer'));
    });
  });
}

/** Checks, frame by frame, what a protocol wrote on a `StringTransport`. */
export interface WireExpectation {
  /**
   * Runs the clock through the marble's frames and throws an `AssertionError` (with the expected
   * and actual marbles, and each differing frame's bytes) unless, in every frame, the bytes
   * written equal the frame's values joined (however the writes were split), and `|` / `#` mark
   * exactly the frame where the protocol ended or closed / aborted the connection. Consumes what
   * it checks (`transport.clear()`), so a further expectation goes on from there.
   */
  toBe(marble: string, values?: WireValues): void;
  /**
   * As `toBe`, and lets the event loop settle after each frame (until nothing is written for one
   * turn), for pipelines that hop through promises (the ix flavour, `async` handlers).
   */
  toBeAsync(marble: string, values?: WireValues): Promise<void>;
}

/**
 * Expects what the protocol on `transport` writes, in virtual time, as a marble: `-` a frame with
 * nothing written, a character the bytes of its value, `(ab)` a frame where a then b were
 * written, `|` the protocol ended (`end()`) or closed (`close()`) the connection, `#` it aborted
 * it; white space is ignored; without `values`, characters stand for themselves as text.
 *
 * Order of operations: frame 0 is `clock.advance(0)`: calls due now run (the deliveries `sendWire`
 * scheduled for frame 0 among them); it holds whatever was written before, too. Frame i is
 * `clock.advance(frame)`: the calls due in that step run, in time order (calls due at the same
 * time in the order they were scheduled, so `sendWire`'s deliveries come before timers a
 * protocol sets later for the same time). After each frame the bytes written are taken from the
 * transport. Unlike rxjs marbles, a `(group)` takes one frame.
 *
 * ```text
 * sendWire:    '---q'      (q = 'QUIT\r\n')
 * expectWire:  'g--(b|)'   (g = greeting, b = '221 bye\r\n', then close)
 * ```
 *
 * @example
 * ```ts
 * const clock = new Clock();
 * const transport = new StringTransport();
 * smtpServer(transport, { clock });
 * sendWire(transport, clock, '-h-q', { h: 'HELO x\r\n', q: 'QUIT\r\n' });
 * expectWire(transport, clock).toBe('ga-(b|)', { g: '220 hi\r\n', a: '250 ok\r\n', b: '221 bye\r\n' });
 * ```
 */
export function expectWire(
  transport: StringTransport,
  clock: Clock,
  options: WireOptions = {},
): WireExpectation {
  const frame = options.frame ?? 1;
  const start = clock.seconds();
  let closing = false;
  let aborted = false;
  const observe = (): Observed => {
    const bytes = transport.value();
    transport.clear();
    const nowClosing = transport.ended || transport.closedByProtocol;
    const end = transport.aborted && !aborted ? '#' : nowClosing && !closing ? '|' : undefined;
    closing = nowClosing;
    aborted = transport.aborted;
    return { bytes, end };
  };
  const advance = (index: number) => clock.advance(index === 0 ? 0 : frame);
  const settle = async () => {
    for (let turn = 0; turn < 100; turn++) {
      const before = transport.writes.length;
      await nextTurn();
      if (transport.writes.length === before) return;
    }
  };
  return {
    toBe(marble, values) {
      const expected = parseMarble(marble);
      const observed: Observed[] = [];
      for (let index = 0; index < expected.length; index++) {
        advance(index);
        observed.push(observe());
      }
      check(expected, observed, values, start, frame);
    },
    async toBeAsync(marble, values) {
      const expected = parseMarble(marble);
      const observed: Observed[] = [];
      for (let index = 0; index < expected.length; index++) {
        advance(index);
        await settle();
        observed.push(observe());
      }
      check(expected, observed, values, start, frame);
    },
  };
}

/** Compares the frames; throws an AssertionError that shows both marbles and every difference. */
function check(
  expected: readonly Frame[],
  observed: readonly Observed[],
  values: WireValues | undefined,
  start: number,
  frame: number,
): void {
  const namer = new ActualNamer(values, expected);
  const expectedTokens: string[] = [];
  const actualTokens: string[] = [];
  const problems: string[] = [];
  expected.forEach((want, index) => {
    const got = observed[index]!;
    const wantBytes = Buffer.concat(want.keys.map((key) => bytesOf(key, values)));
    expectedTokens.push(token(want.keys, want.end));
    actualTokens.push(token(namer.name(got.bytes, want.keys, wantBytes), got.end));
    const at = `frame ${index} (${Math.round((start + index * frame) * 1e9) / 1e9} s)`;
    if (!sameBytes(wantBytes, got.bytes)) {
      problems.push(`${at}: expected ${escapeBytes(wantBytes)}, written ${escapeBytes(got.bytes)}`);
    }
    if (want.end !== got.end)
      problems.push(`${at}: expected ${describeEnd(want.end)}, got ${describeEnd(got.end)}`);
  });
  if (problems.length === 0) return;
  const widths = expectedTokens.map((text, index) =>
    Math.max(text.length, actualTokens[index]!.length, String(index).length),
  );
  const row = (cells: readonly string[]) => cells.map((cell, index) => cell.padEnd(widths[index]!)).join(' ');
  const legend = [
    ...(values === undefined ? [] : Object.keys(values)).map(
      (key) => `${key} = ${escapeBytes(bytesOf(key, values))}`,
    ),
    ...namer.invented.map(([key, bytes]) => `${key} = ${escapeBytes(bytes)} (written, matches no value)`),
  ];
  const message = [
    'the wire differs from the marble',
    `  frame:    ${row(expectedTokens.map((_, index) => String(index)))}`,
    `  expected: ${row(expectedTokens)}`,
    `  actual:   ${row(actualTokens)}`,
    ...problems.map((problem) => `  ${problem}`),
    ...(legend.length === 0 ? [] : ['  where', ...legend.map((line) => `    ${line}`)]),
  ].join('\n');
  throw new AssertionError({
    message,
    actual: actualTokens.join(''),
    expected: expectedTokens.join(''),
    operator: 'expectWire',
  });
}
