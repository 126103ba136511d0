import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Opcode, type WebSocketFrame } from '../../../protocols/websocket/frame.js';
import { applyMask, FrameDecoder, type WebSocketRole } from '../../../protocols/websocket/frame-decoder.js';
import { WebSocketError } from '../../../protocols/websocket/websocket-error.js';
import { chunkings } from '../../support/chunkings.js';
import { frames, hex, rawFrame } from './_frames.js';

const test = suite('protocols/websocket/frame-decoder');

interface Seen {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly opcode: number;
  readonly payload: string;
}

/** Decodes `input` at every split, checking each gives `expected` (payloads copied as they come, chunks scribbled on after). */
function atEverySplit(
  input: Uint8Array,
  role: WebSocketRole,
  expected: readonly Seen[],
  compression = false,
): void {
  for (const { label, chunks } of chunkings(input)) {
    const decoder = new FrameDecoder({ role, compression });
    const seen: Seen[] = [];
    for (const chunk of chunks) {
      const out: WebSocketFrame[] = [];
      decoder.push(chunk, out);
      for (const frame of out) {
        seen.push({ ...frame, payload: Buffer.from(frame.payload).toString('latin1') });
      }
      chunk.fill(0xee);
    }
    decoder.end();
    assert.equal(seen, expected, label);
    assert.ok(decoder.idle, label);
  }
}

const text = (payload: string, fin = true): Seen => ({ fin, rsv1: false, opcode: Opcode.text, payload });

test('reads the RFC 6455 examples (section 5.7), unmasked as a client and masked as a server', () => {
  atEverySplit(hex('81 05 48 65 6c 6c 6f'), 'client', [text('Hello')]);
  atEverySplit(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), 'server', [text('Hello')]);
  atEverySplit(hex('01 03 48 65 6c 80 02 6c 6f'), 'client', [
    text('Hel', false),
    { fin: true, rsv1: false, opcode: Opcode.continuation, payload: 'lo' },
  ]);
  atEverySplit(hex('89 05 48 65 6c 6c 6f'), 'client', [
    { fin: true, rsv1: false, opcode: Opcode.ping, payload: 'Hello' },
  ]);
  atEverySplit(hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'), 'server', [
    { fin: true, rsv1: false, opcode: Opcode.pong, payload: 'Hello' },
  ]);
});

test('reads 7-, 16- and 64-bit lengths at their boundaries', () => {
  for (const size of [0, 125, 126, 65535, 65536]) {
    const payload = 'x'.repeat(size);
    const decoder = new FrameDecoder({ role: 'server' });
    const [frame] = decoder.push(rawFrame(Opcode.binary, payload));
    assert.is(frame?.payload.length, size, `${size} bytes`);
    assert.is(Buffer.from(frame!.payload).toString(), payload);
  }
  atEverySplit(rawFrame(Opcode.binary, 'y'.repeat(300)), 'server', [
    { fin: true, rsv1: false, opcode: Opcode.binary, payload: 'y'.repeat(300) },
  ]);
});

test('reads frames back to back, an empty one among them, at every split', () => {
  const input = frames(
    rawFrame(Opcode.text, 'ab', { fin: false }),
    rawFrame(Opcode.ping, ''),
    rawFrame(Opcode.continuation, 'c'),
  );
  atEverySplit(input, 'server', [
    text('ab', false),
    { fin: true, rsv1: false, opcode: Opcode.ping, payload: '' },
    { fin: true, rsv1: false, opcode: Opcode.continuation, payload: 'c' },
  ]);
});

test('RSV1 marks the first frame of a compressed message once compression is on', () => {
  atEverySplit(rawFrame(Opcode.text, 'z', { rsv: 0b100 }), 'server', [{ ...text('z'), rsv1: true }], true);
});

test('refuses a frame over maxFrameBytes from its head, before its payload', () => {
  const decoder = new FrameDecoder({ role: 'client', maxFrameBytes: 10 });
  const head = rawFrame(Opcode.binary, '', { mask: null, lengthForm: 16, declared: 1000 });
  assert.throws(
    () => decoder.push(head),
    (error: unknown) => error instanceof WebSocketError && error.closeCode === 1009,
  );
});

test('the end inside a frame is an abnormal closure (1006)', () => {
  const decoder = new FrameDecoder({ role: 'client' });
  decoder.push(hex('81 05 48 65'));
  assert.not.ok(decoder.idle);
  assert.throws(
    () => decoder.end(),
    (error: unknown) => error instanceof WebSocketError && error.closeCode === 1006,
  );
});

test('applyMask is its own inverse, for every length and offset of the key', () => {
  const key = Uint8Array.from([1, 2, 3, 250, 9, 8, 7, 6]);
  for (let length = 0; length < 12; length++) {
    const data = Uint8Array.from({ length }, (_, i) => i * 37);
    const copy = Uint8Array.from(data);
    applyMask(copy, key, 4);
    if (length > 0) assert.is(copy[0], data[0]! ^ 9);
    applyMask(copy, key, 4);
    assert.equal(copy, data);
  }
});

test.run();
