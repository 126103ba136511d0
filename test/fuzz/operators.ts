/**
 * Fuzz properties of the framing operators' decoders and encoders: `LineDecoder`,
 * `DelimitedDecoder`, `NetstringDecoder`, `LengthPrefixedDecoder` and `Utf8Decoder`. Whatever an
 * encoder accepts, its decoder gives back at any split; any input at any split yields only the
 * decoder's typed errors, never holds more than its limit, and gives the frames and error it
 * gives the same input in one chunk.
 *
 * @module
 */
import { TextDecoder } from 'node:util';
import fc from 'fast-check';
import { Utf8Decoder } from '../../operators/decode-utf8.js';
import { DelimitedDecoder } from '../../operators/delimited.js';
import { DelimitedEncoder } from '../../operators/encode-delimited.js';
import { LengthPrefixedEncoder } from '../../operators/encode-length-prefixed.js';
import { LineEncoder } from '../../operators/encode-lines.js';
import { NetstringEncoder } from '../../operators/encode-netstrings.js';
import { LengthPrefixedDecoder } from '../../operators/length-prefixed.js';
import { LineDecoder, type LineEncoding } from '../../operators/lines.js';
import { NetstringDecoder } from '../../operators/netstrings.js';
import { LineTooLongError, ProtocolError } from '../../source/errors.js';
import { type Fed, feed } from '../support/chunkings.js';
import {
  check,
  cut,
  cutPoints,
  type FuzzProperty,
  fuzzProperty,
  hostile,
  onlyTyped,
  split,
} from './_fuzz.js';

/** A decoder whose held bytes can be read, as every framing decoder's can. */
interface Framer<F> {
  push(chunk: Uint8Array, frames?: F[]): readonly F[];
  end(frames?: F[]): readonly F[];
  readonly buffered: number;
}

/** Frames made comparable: byte frames as arrays of numbers. */
const plain = (frames: readonly unknown[]): unknown[] =>
  frames.map((frame) => (frame instanceof Uint8Array ? [...frame] : frame));

/**
 * Feeds `chunks` to a decoder from `make`, checking after each push that it holds at most
 * `maxHeld` bytes, then checks the error is one of the decoder's, the frames are no more than
 * the bytes could make and each is at most `maxFrame` long, and that the same input in one chunk
 * gives the same frames and the same kind of error.
 */
function checkDecoder<F>(
  make: () => Framer<F>,
  bytes: Uint8Array,
  chunks: Uint8Array[],
  limits: { maxHeld: number; maxFrame: number },
): Fed<F> {
  const decoder = make();
  const fed = feed(decoder, chunks, () =>
    check(decoder.buffered <= limits.maxHeld, `holds ${decoder.buffered} bytes, over ${limits.maxHeld}`),
  );
  onlyTyped(fed.error, ProtocolError, LineTooLongError);
  check(fed.frames.length <= bytes.length + 1, `${fed.frames.length} frames from ${bytes.length} bytes`);
  for (const frame of fed.frames) {
    const size = (frame as string | Uint8Array).length; // string frames are latin1: a byte a character
    check(size <= limits.maxFrame, `a frame of ${size} bytes, over ${limits.maxFrame}`);
  }
  const whole = feed(make(), [Uint8Array.from(bytes)]);
  check(
    JSON.stringify(plain(whole.frames)) === JSON.stringify(plain(fed.frames)),
    'the frames depend on the chunking',
  );
  check(
    whole.error?.constructor === fed.error?.constructor,
    `the error depends on the chunking: ${String(whole.error)} in one chunk, ${String(fed.error)} split`,
  );
  return fed;
}

const delimiters = fc.constantFrom('\r\n', '\n', '\0', '||', 'aab', 'aba', '\r\n\r\n');
/** Text over a small alphabet that overlaps the delimiters, and some other characters. */
const lineText = fc.string({
  unit: fc.oneof(fc.constantFrom('a', 'b', '|', '\r', '\n', '\0'), fc.fullUnicode()),
  maxLength: 24,
});
const encodings = fc.constantFrom<LineEncoding>('utf8', 'latin1', 'ascii');

/** A line as `encoding` writes it unchanged: ASCII for ascii, up to U+00FF for latin1. */
function representable(line: string, encoding: LineEncoding): string {
  const limit = encoding === 'ascii' ? 0x7f : encoding === 'latin1' ? 0xff : 0x10ffff;
  return [...line].filter((char) => char.codePointAt(0)! <= limit).join('');
}

const linesRoundTrip = fuzzProperty(
  'lines: what LineEncoder writes, LineDecoder reads back at any split',
  150,
  fc.record({
    delimiter: delimiters,
    encoding: encodings,
    lines: fc.array(lineText, { maxLength: 8 }),
    points: cutPoints,
  }),
  ({ delimiter, encoding, lines, points }) => {
    const encoder = new LineEncoder({ delimiter, encoding });
    const texts = lines.map((line) => representable(line, encoding));
    const encoded: Uint8Array[] = [];
    const accepted: string[] = [];
    for (const text of texts) {
      try {
        encoded.push(encoder.encode(text));
        accepted.push(text);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error; // a line holding its delimiter
      }
    }
    const maxLength = Math.max(0, ...encoded.map((bytes) => bytes.length));
    const fed = feed(
      new LineDecoder({ delimiter, encoding, maxLength }),
      cut(Buffer.concat(encoded), points),
    );
    if (fed.error !== undefined) throw fed.error;
    check(JSON.stringify(fed.frames) === JSON.stringify(accepted), `read ${JSON.stringify(fed.frames)}`);
  },
);

const linesHostile = fuzzProperty(
  'lines: any input at any split gives lines within maxLength, or LineTooLongError',
  200,
  fc.record({
    delimiter: delimiters,
    maxLength: fc.integer({ min: 0, max: 40 }),
    raw: fc.boolean(),
    input: hostile(
      fc
        .array(lineText, { maxLength: 6 })
        .map((lines) => Buffer.from(lines.map((line) => `${line}\r\n`).join(''))),
    ),
  }),
  ({ delimiter, maxLength, raw, input }) => {
    const options = { delimiter, maxLength, encoding: raw ? null : ('latin1' as const) };
    const held = maxLength + Buffer.byteLength(delimiter) - 1;
    checkDecoder(() => new LineDecoder<string | Uint8Array>(options), input.bytes, input.chunks, {
      maxHeld: held,
      maxFrame: maxLength,
    });
  },
);

/** Encodes `frames`, feeds the bytes to `decoder` cut at `points`, and checks it reads `frames` back. */
function readsBack(
  decoder: Framer<Uint8Array>,
  encode: (frame: Uint8Array) => Uint8Array,
  frames: readonly Uint8Array[],
  points: readonly number[],
): void {
  const fed = feed(decoder, cut(Buffer.concat(frames.map(encode)), points));
  if (fed.error !== undefined) throw fed.error;
  check(JSON.stringify(plain(fed.frames)) === JSON.stringify(plain(frames)), 'the frames changed');
}

/**
 * The hostile-input property of a byte framer: inputs built on `valid`, fed at any split to the
 * decoder `make` gives for settings drawn from `settings`, held bytes and frames within `limit`.
 */
function framerProperty<S>(
  name: string,
  settings: fc.Arbitrary<S>,
  valid: fc.Arbitrary<Uint8Array>,
  make: (settings: S) => Framer<Uint8Array>,
  limit: (settings: S) => number,
): FuzzProperty {
  return fuzzProperty(name, 150, fc.tuple(settings, hostile(valid)), ([chosen, input]) => {
    const most = limit(chosen);
    checkDecoder(() => make(chosen), input.bytes, input.chunks, { maxHeld: most, maxFrame: most });
  });
}

const delimitedRoundTrip = fuzzProperty(
  'delimited: what DelimitedEncoder writes, DelimitedDecoder reads back at any split',
  100,
  fc.record({
    delimiter: fc.integer({ min: 0, max: 255 }),
    frames: fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 8 }),
    points: cutPoints,
  }),
  ({ delimiter, frames, points }) => {
    const encoder = new DelimitedEncoder(delimiter);
    const kept = frames.map((frame) => frame.filter((byte) => byte !== delimiter));
    readsBack(
      new DelimitedDecoder(delimiter, { maxLength: 20 }),
      (frame) => encoder.encode(frame),
      kept,
      points,
    );
  },
);

const delimitedHostile = framerProperty(
  'delimited: any input at any split gives frames within maxLength, or LineTooLongError',
  fc.record({
    delimiter: fc.constantFrom(0x00, 0x0a, 0x2c, 0xff),
    maxLength: fc.integer({ min: 0, max: 40 }),
  }),
  fc.uint8Array({ maxLength: 80 }),
  ({ delimiter, maxLength }) => new DelimitedDecoder(delimiter, { maxLength }),
  ({ maxLength }) => maxLength,
);

const netstringsRoundTrip = fuzzProperty(
  'netstrings: what NetstringEncoder writes, NetstringDecoder reads back at any split',
  100,
  fc.record({ frames: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), points: cutPoints }),
  ({ frames, points }) => {
    const encoder = new NetstringEncoder();
    readsBack(new NetstringDecoder({ maxLength: 40 }), (frame) => encoder.encode(frame), frames, points);
  },
);

const netstringsHostile = framerProperty(
  'netstrings: any input at any split gives netstrings within maxLength, or a typed error',
  fc.integer({ min: 0, max: 64 }),
  fc
    .array(fc.uint8Array({ maxLength: 70 }), { maxLength: 5 })
    .map((frames) => Buffer.concat(frames.map((frame) => new NetstringEncoder().encode(frame)))),
  (maxLength) => new NetstringDecoder({ maxLength }),
  (maxLength) => maxLength,
);

const prefixes = fc.constantFrom<1 | 2 | 4>(1, 2, 4);

const lengthPrefixedRoundTrip = fuzzProperty(
  'length-prefixed: what LengthPrefixedEncoder writes, LengthPrefixedDecoder reads back at any split',
  100,
  fc.record({
    prefix: prefixes,
    frames: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }),
    points: cutPoints,
  }),
  ({ prefix, frames, points }) => {
    const encoder = new LengthPrefixedEncoder({ bytes: prefix });
    const fitting = frames.map((frame) => (prefix === 1 ? frame.subarray(0, 255) : frame));
    readsBack(
      new LengthPrefixedDecoder({ bytes: prefix, maxLength: 300 }),
      (frame) => encoder.encode(frame),
      fitting,
      points,
    );
  },
);

const lengthPrefixedHostile = framerProperty(
  'length-prefixed: any input at any split gives frames within maxLength, or a typed error',
  fc.record({ prefix: prefixes, maxLength: fc.integer({ min: 0, max: 300 }) }),
  fc
    .array(fc.uint8Array({ maxLength: 200 }), { maxLength: 4 })
    .map((frames) =>
      Buffer.concat(frames.map((frame) => new LengthPrefixedEncoder({ bytes: 2 }).encode(frame))),
    ),
  ({ prefix, maxLength }) => new LengthPrefixedDecoder({ bytes: prefix, maxLength }),
  ({ maxLength }) => maxLength,
);

const utf8RoundTrip = fuzzProperty(
  'decode-utf8: any text, encoded and split anywhere, decodes whole',
  150,
  fc.tuple(fc.string({ unit: 'grapheme', maxLength: 40 }), cutPoints),
  ([text, points]) => {
    const fed = feed(new Utf8Decoder({ fatal: true }), cut(Buffer.from(text), points));
    if (fed.error !== undefined) throw fed.error;
    check(fed.frames.join('') === text, `read ${JSON.stringify(fed.frames.join(''))}`);
  },
);

const utf8Hostile = fuzzProperty(
  'decode-utf8: any bytes at any split decode as in one piece, or fail with ProtocolError when fatal',
  200,
  fc.record({
    fatal: fc.boolean(),
    input: split(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc
          .tuple(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.uint8Array({ maxLength: 4 }), fc.nat())
          .map(([text, junk, at]) => {
            const bytes = Buffer.from(text);
            const where = at % (bytes.length + 1);
            return Buffer.concat([bytes.subarray(0, where), junk, bytes.subarray(where)]);
          }),
      ),
    ),
  }),
  ({ fatal, input }) => {
    const fed = feed(new Utf8Decoder({ fatal }), input.chunks);
    onlyTyped(fed.error, ProtocolError);
    let expected: string | undefined;
    try {
      expected = new TextDecoder('utf-8', { fatal, ignoreBOM: true }).decode(input.bytes);
    } catch {
      expected = undefined;
    }
    if (expected === undefined) check(fed.error !== undefined, 'invalid UTF-8 decoded without an error');
    else {
      check(fed.error === undefined, `valid UTF-8 refused: ${String(fed.error)}`);
      check(fed.frames.join('') === expected, `read ${JSON.stringify(fed.frames.join(''))}`);
    }
  },
);

/** Every property of the framing operators. */
export const properties: readonly FuzzProperty[] = [
  linesRoundTrip,
  linesHostile,
  delimitedRoundTrip,
  delimitedHostile,
  netstringsRoundTrip,
  netstringsHostile,
  lengthPrefixedRoundTrip,
  lengthPrefixedHostile,
  utf8RoundTrip,
  utf8Hostile,
];
