/**
 * The machinery of the codec fuzz properties: `FuzzProperty` (a named fast-check property with
 * the number of cases `npm test` runs), `fuzzProperty` to make one, `testProperties` to run a
 * codec's properties as uvu tests, and the arbitraries every codec uses: inputs split at random
 * points, and valid inputs mutated (bits flipped, bytes inserted, deleted, repeated, cut short).
 * `npm run fuzz` (scripts/fuzz.ts) runs the same properties with new seeds for as long as asked.
 *
 * @module
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { TestSuite } from '../../source/testing/dirty-reactor.js';
import { type Fed, type FrameDecoder, feed } from '../support/chunkings.js';

/** How to run a property once: the seed, how many cases, and optionally the case to replay. */
export interface FuzzParameters {
  readonly seed: number;
  readonly numRuns: number;
  /** A counterexample's path (from a failure report): replays that case and shrinks from it. */
  readonly path?: string;
  /** Stop after this many milliseconds, whatever `numRuns` says. */
  readonly timeLimit?: number;
}

/** What a run gave: how many cases ran, and the report of the first failure (none when all passed). */
export interface FuzzOutcome {
  readonly runs: number;
  readonly failure: string | undefined;
}

/** A named property of a codec, with the cases `npm test` runs of it. */
export interface FuzzProperty {
  readonly name: string;
  /** Cases per `npm test`: tuned so the whole fuzz suite adds a few seconds. */
  readonly runs: number;
  check(parameters: FuzzParameters): FuzzOutcome;
}

/**
 * A property: `predicate` must not throw for any value of `arbitrary`. A failure report gives the
 * shrunk counterexample, the seed and path, and the `npm run fuzz` line that replays it.
 *
 * @example
 * ```ts
 * fuzzProperty('never throws', 200, fc.uint8Array(), (bytes) => decode(bytes));
 * ```
 */
export function fuzzProperty<T>(
  name: string,
  runs: number,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => void,
): FuzzProperty {
  const property = fc.property(arbitrary, predicate);
  return {
    name,
    runs,
    check({ seed, numRuns, path, timeLimit }) {
      const details = fc.check(property, {
        seed,
        numRuns,
        ...(path === undefined ? {} : { path }),
        ...(timeLimit === undefined ? {} : { interruptAfterTimeLimit: timeLimit }),
        markInterruptAsFailure: false,
      });
      const failure = details.failed
        ? `${name}: ${fc.defaultReportMessage(details)}\nreplay: npm run fuzz -- --property ${JSON.stringify(name)} --seed ${details.seed} --path ${details.counterexamplePath}`
        : undefined;
      return { runs: details.numRuns, failure };
    },
  };
}

/**
 * The fixed seed `npm test` runs a property with, from its name: every run checks the same cases,
 * and a failure names the seed (and path) that reproduces it.
 *
 * @example
 * ```ts
 * seedOf('lines: never throws'); // the same number every time
 * ```
 */
export function seedOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/**
 * Registers each property as a test of `test`, run for its `runs` cases with its fixed seed.
 *
 * @example
 * ```ts
 * testProperties(checkClean(suite('fuzz/operators')), properties);
 * ```
 */
export function testProperties<Context>(test: TestSuite<Context>, properties: readonly FuzzProperty[]): void {
  for (const property of properties) {
    test(property.name, () => {
      const { failure } = property.check({ seed: seedOf(property.name), numRuns: property.runs });
      if (failure !== undefined) throw new Error(failure);
    });
  }
}

/** Cut points for `cut`: positions taken modulo the input's length plus one, so any list fits any input. */
export const cutPoints: fc.Arbitrary<readonly number[]> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.nat(), { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constant([-1]) }, // one byte at a time
);

/**
 * `bytes` cut into chunks at `points` (see `cutPoints`; `[-1]` cuts after every byte). Each chunk
 * is a fresh copy, so a decoder may keep or scribble on it.
 *
 * @example
 * ```ts
 * cut(Buffer.from('abcd'), [1, 3]); // 'a', 'bc', 'd'
 * ```
 */
export function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  if (points.length === 1 && points[0] === -1) return [...bytes].map((byte) => Uint8Array.of(byte));
  const at = [...new Set(points.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    chunks.push(Uint8Array.from(bytes.subarray(from, to)));
    from = to;
  }
  return chunks;
}

/** Bytes that mean something to one codec or another: line ends, separators, digits, high bits. */
const telling = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x2e, 0x30, 0x39, 0x3a, 0x3b, 0x5c, 0x7f, 0x80];
const tellingByte = fc.oneof(fc.constantFrom(...telling, 0xc0, 0xff), fc.integer({ min: 0, max: 255 }));

/** One change to a valid input; positions are taken modulo its length. */
type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly byte: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'repeat'; readonly at: number; readonly count: number; readonly times: number }
  | { readonly kind: 'truncate'; readonly at: number };

const at = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at, byte: tellingByte }),
  fc.record({
    kind: fc.constant('insert' as const),
    at,
    bytes: fc.array(tellingByte, { minLength: 1, maxLength: 8 }).map((bytes) => Uint8Array.from(bytes)),
  }),
  fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at,
    count: fc.integer({ min: 1, max: 16 }),
    times: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
);

function mutate(bytes: Uint8Array, change: Mutation): Uint8Array {
  const length = bytes.length;
  const where = change.at % (length + 1);
  const before = bytes.subarray(0, where);
  const after = bytes.subarray(where);
  switch (change.kind) {
    case 'flip':
    case 'set': {
      if (where === length) return bytes;
      const copy = Uint8Array.from(bytes);
      copy[where] = change.kind === 'flip' ? copy[where]! ^ (1 << change.bit) : change.byte;
      return copy;
    }
    case 'insert':
      return Buffer.concat([before, change.bytes, after]);
    case 'delete':
      return Buffer.concat([before, after.subarray(change.count)]);
    case 'repeat': {
      const piece = after.subarray(0, change.count);
      return Buffer.concat([
        before,
        ...Array<Uint8Array>(change.times + 1).fill(piece),
        after.subarray(piece.length),
      ]);
    }
    case 'truncate':
      return before;
  }
}

/**
 * Valid inputs with one to four mutations each: what a fuzzer that knows the format sends.
 *
 * @example
 * ```ts
 * mutated(validRequests); // requests with a bit flipped, a byte inserted, a piece repeated …
 * ```
 */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([bytes, changes]) => changes.reduce(mutate, bytes));
}

/**
 * Hostile input built on `valid`: the valid input itself, mutated, or random bytes, cut at random
 * points.
 *
 * @example
 * ```ts
 * fuzzProperty('never throws but its own error', 300, hostile(requests), ({ chunks }) => …);
 * ```
 */
export function hostile(
  valid: fc.Arbitrary<Uint8Array>,
  maxRandom = 512,
): fc.Arbitrary<{ bytes: Uint8Array; chunks: Uint8Array[] }> {
  const input = fc.oneof(
    { weight: 1, arbitrary: valid },
    { weight: 4, arbitrary: mutated(valid) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandom }) },
  );
  return split(input);
}

/**
 * Inputs from `bytes` with random cut points: `{ bytes, chunks }`, `chunks` fresh copies each
 * time it is read.
 *
 * @example
 * ```ts
 * split(fc.uint8Array()); // { bytes, chunks: bytes cut at up to six points }
 * ```
 */
export function split(
  bytes: fc.Arbitrary<Uint8Array>,
): fc.Arbitrary<{ bytes: Uint8Array; chunks: Uint8Array[] }> {
  // the chunks are cut afresh at each reading: a decoder (or `feed`) may scribble on them, and
  // fast-check runs a property again on the same value while it shrinks a failure
  return fc.tuple(bytes, cutPoints).map(([whole, points]) => ({
    bytes: whole,
    get chunks() {
      return cut(whole, points);
    },
  }));
}

/**
 * Rethrows `error` unless it is undefined or one of `types`: the one way a codec may refuse
 * input. A TypeError, RangeError or any other class is a defect.
 *
 * @example
 * ```ts
 * onlyTyped(fed.error, ProtocolError, LineTooLongError);
 * ```
 */
export function onlyTyped(error: unknown, ...types: (abstract new (...args: never[]) => Error)[]): void {
  if (error === undefined) return;
  if (types.some((type) => error instanceof type)) return;
  throw error;
}

/**
 * Throws unless `condition` holds, with `message`: a property's own check.
 *
 * @example
 * ```ts
 * check(decoder.buffered <= maxLength, `holds ${decoder.buffered} bytes`);
 * ```
 */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * Throws unless `actual` deeply equals `expected`, showing both: a property's comparison.
 *
 * @example
 * ```ts
 * same(decoded, message, 'the decoded message');
 * ```
 */
export function same(actual: unknown, expected: unknown, what: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  const show = (value: unknown): string => inspect(value, { depth: 8, breakLength: 120, maxArrayLength: 40 });
  throw new Error(`${what} differs:\n  got      ${show(actual)}\n  expected ${show(expected)}`);
}

/**
 * What `write` returns, or undefined when it refuses its input with a TypeError or RangeError: a
 * serialiser's way of saying no, which a round-trip property skips.
 *
 * @example
 * ```ts
 * const head = unlessRefused(() => writeRequestHead(head, framing));
 * ```
 */
export function unlessRefused<T>(write: () => T): T | undefined {
  try {
    return write();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Limits of a reply reader (SMTP's, FTP's): the longest line, the longest multi-line reply. */
export const replyLimits = fc.record({
  maxLineLength: fc.integer({ min: 0, max: 60 }),
  maxReplyLength: fc.integer({ min: 0, max: 200 }),
});

/**
 * Checks that a fresh decoder from `make`, fed `bytes` in one chunk, gives the frames `fed` (the
 * same bytes, split) gave, and an error of the same class.
 *
 * @example
 * ```ts
 * sameInOneChunk(feed(new ReplyDecoder(), chunks), () => new ReplyDecoder(), bytes);
 * ```
 */
export function sameInOneChunk<F>(fed: Fed<F>, make: () => FrameDecoder<F>, bytes: Uint8Array): void {
  const whole = feed(make(), [Uint8Array.from(bytes)]);
  same(fed.frames, whole.frames, 'the split read (vs in one chunk)');
  same(fed.error?.constructor, whole.error?.constructor, 'the error (split vs in one chunk)');
}
