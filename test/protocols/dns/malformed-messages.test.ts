import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage } from '../../../protocols/dns/decode-message.js';
import { FormatError } from '../../../protocols/dns/dns-error.js';
import { encodeMessage } from '../../../protocols/dns/encode-message.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { seededRandom } from '../../support/seeded-random.js';
import { captured, wire } from './_wire.js';
import { malformedMessages } from './malformed-messages.js';

const test = checkClean(suite('protocols/dns/malformed-messages'));

/** The error `decodeMessage` throws for `input`, or undefined when it decodes. */
function refusal(input: Uint8Array): unknown {
  try {
    decodeMessage(input);
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The id a server answers FORMERR to: the first two bytes, when there are two. */
const idOf = (input: Uint8Array): number | undefined =>
  input.length >= 2 ? ((input[0] as number) << 8) | (input[1] as number) : undefined;

test('the corpus holds at least 40 cases, each named once', () => {
  assert.ok(malformedMessages.length >= 40, `${malformedMessages.length} cases`);
  assert.is(new Set(malformedMessages.map((c) => c.name)).size, malformedMessages.length);
});

for (const { name, input, message } of malformedMessages) {
  test(`${name}: FormatError${input.length >= 2 ? ' with the id' : ''}`, () => {
    const error = refusal(input);
    assert.instance(error, FormatError, `expected a FormatError, got ${String(error)}`);
    const format = error as FormatError;
    assert.is(format.id, idOf(input), format.message);
    assert.is(format.protocolCode, 'FORMERR');
    if (message !== undefined) assert.match(format.message, message);
  });
}

const valid = Object.entries(captured).map(([name, hex]) => [name, wire(hex)] as const);

test('every strict prefix of every captured message is a FormatError, with the id from two bytes on', () => {
  for (const [name, bytes] of valid) {
    assert.not.throws(() => decodeMessage(bytes), name);
    for (let end = 0; end < bytes.length; end++) {
      const error = refusal(bytes.subarray(0, end));
      assert.instance(error, FormatError, `${name} cut at ${end}: ${String(error)}`);
      assert.is((error as FormatError).id, idOf(bytes.subarray(0, end)), `${name} cut at ${end}`);
    }
  }
});

/** `bytes` with a few random changes: bytes overwritten, inserted, deleted, or the end cut off. */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const out = Array.from(bytes);
  const int = (n: number): number => Math.floor(random() * n);
  for (let changes = 1 + int(4); changes > 0; changes--) {
    const at = int(out.length + 1);
    switch (int(5)) {
      case 0:
      case 1:
        out[Math.min(at, out.length - 1)] = int(256);
        break;
      case 2:
        out.splice(at, 0, int(256));
        break;
      case 3:
        out.splice(at, 1);
        break;
      default:
        out[Math.min(at, out.length - 1)] = [0x00, 0x3f, 0x40, 0x80, 0xc0, 0xc0 | int(64), 0xff][int(7)]!;
    }
  }
  return Uint8Array.from(out);
}

/** Every name in a message lowered: a re-encoded message points later names to the first spelling. */
const lowered = (value: unknown): string =>
  JSON.stringify(value, (key, field) =>
    typeof field === 'string' && ['name', 'host', 'target', 'exchange', 'mname', 'rname'].includes(key)
      ? field.toLowerCase()
      : field instanceof Uint8Array
        ? Buffer.from(field).toString('hex')
        : field,
  );

test('5,000 seeded mutations of the captured messages: each decodes or is a FormatError, and what decodes re-encodes to the same message', () => {
  const random = seededRandom(0x5eed);
  const started = performance.now();
  let decoded = 0;
  for (let n = 0; n < 5000; n++) {
    const [name, bytes] = valid[n % valid.length]!;
    const input = mutate(bytes, random);
    let message: ReturnType<typeof decodeMessage>;
    try {
      message = decodeMessage(input);
    } catch (error) {
      assert.instance(
        error,
        FormatError,
        `${name} mutated to ${Buffer.from(input).toString('hex')}: ${String(error)}`,
      );
      continue;
    }
    decoded++;
    const again = decodeMessage(encodeMessage(message));
    assert.is(lowered(again), lowered(message), `${name} mutated to ${Buffer.from(input).toString('hex')}`);
  }
  assert.ok(
    decoded > 100 && decoded < 4900,
    `${decoded} of 5000 decoded: the mutations should hit both ways`,
  );
  assert.ok(performance.now() - started < 5000, 'the mutations ran in under 5 seconds');
});

test.run();
