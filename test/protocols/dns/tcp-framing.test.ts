import { from, lastValueFrom, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage } from '../../../protocols/dns/decode-message.js';
import { dnsTcpFrames, dnsTcpFramesAsync, encodeTcpFrame } from '../../../protocols/dns/tcp-framing.js';
import { ProtocolError } from '../../../source/errors.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { chunkings } from '../../support/chunkings.js';
import { captured, wire } from './_wire.js';

const test = checkClean(suite('protocols/dns/tcp-framing'));

const messages = [
  wire(captured.aQuery),
  wire(captured.mxResponse),
  new Uint8Array(0),
  wire(captured.txtResponse),
];
const stream = Buffer.concat(messages.map(encodeTcpFrame));
const hex = (frames: readonly Uint8Array[]): string[] =>
  frames.map((frame) => Buffer.from(frame).toString('hex'));

/** Each chunk a fresh copy, so frames viewing a chunk stay intact while the test holds them. */
async function framesOf(chunks: readonly Uint8Array[]): Promise<Uint8Array[]> {
  return lastValueFrom(from(chunks).pipe(dnsTcpFrames(), toArray()));
}

async function* iterate(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

test('encodeTcpFrame prefixes a message with its length on two octets', () => {
  assert.is(Buffer.from(encodeTcpFrame(wire('abcdef'))).toString('hex'), '0003abcdef');
  assert.is(encodeTcpFrame(new Uint8Array(65535)).length, 65537);
  assert.throws(() => encodeTcpFrame(new Uint8Array(65536)), RangeError);
});

test('dnsTcpFrames yields the same messages however the stream is split', async () => {
  for (const { label, chunks } of chunkings(stream)) {
    const frames = await framesOf(chunks);
    assert.equal(hex(frames), hex(messages), label);
    assert.is(decodeMessage(frames[1]!).answers[0]?.type, 'MX', label);
  }
});

test('dnsTcpFramesAsync yields the same messages however the stream is split', async () => {
  for (const { label, chunks } of chunkings(stream)) {
    const frames: Uint8Array[] = [];
    for await (const frame of dnsTcpFramesAsync()(iterate(chunks))) frames.push(Uint8Array.from(frame));
    assert.equal(hex(frames), hex(messages), label);
  }
});

test('a stream ending inside a frame, or inside its length, errors with ProtocolError', async () => {
  for (const end of [1, 3, stream.length - 1]) {
    const error = await framesOf([stream.subarray(0, end)]).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    assert.instance(error, ProtocolError, `cut at ${end}`);
  }
});

test('takes a frame of the largest length, 65535', async () => {
  const frames = await framesOf([encodeTcpFrame(new Uint8Array(65535).fill(7))]);
  assert.is(frames[0]?.length, 65535);
});

test.run();
