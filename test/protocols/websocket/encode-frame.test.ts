import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeFrame } from '../../../protocols/websocket/encode-frame.js';
import { Opcode } from '../../../protocols/websocket/frame.js';
import { FrameDecoder } from '../../../protocols/websocket/frame-decoder.js';
import { exampleMask, hex } from './_frames.js';

const test = suite('protocols/websocket/encode-frame');

test('writes the RFC 6455 examples byte for byte', () => {
  assert.equal(Uint8Array.from(encodeFrame(Opcode.text, 'Hello')), hex('81 05 48 65 6c 6c 6f'));
  assert.equal(
    Uint8Array.from(encodeFrame(Opcode.text, 'Hello', { mask: exampleMask })),
    hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'),
  );
  assert.equal(Uint8Array.from(encodeFrame(Opcode.text, 'Hel', { fin: false })), hex('01 03 48 65 6c'));
  const big = encodeFrame(Opcode.binary, new Uint8Array(256));
  assert.equal(Uint8Array.from(big.subarray(0, 4)), hex('82 7e 01 00'));
  const huge = encodeFrame(Opcode.binary, new Uint8Array(65536));
  assert.equal(Uint8Array.from(huge.subarray(0, 10)), hex('82 7f 00 00 00 00 00 01 00 00'));
});

test('uses the shortest length form at each boundary, and the decoder reads it back', () => {
  for (const size of [0, 125, 126, 65535, 65536]) {
    const payload = new Uint8Array(size).fill(7);
    const frame = encodeFrame(Opcode.binary, payload, { mask: exampleMask });
    const form = size < 126 ? 2 : size < 65536 ? 4 : 10;
    assert.is(frame.length, form + 4 + size, `${size} bytes`);
    const [decoded] = new FrameDecoder({ role: 'server' }).push(frame);
    assert.equal(Uint8Array.from(decoded!.payload), payload, `${size} bytes`);
  }
});

test('masking leaves the payload given untouched, and RSV1 sets bit 0x40', () => {
  const payload = Uint8Array.from([1, 2, 3]);
  const frame = encodeFrame(Opcode.binary, payload, { mask: exampleMask, rsv1: true });
  assert.equal(payload, Uint8Array.from([1, 2, 3]));
  assert.is(frame[0], 0xc2);
});

test('a text payload is UTF-8, its length in bytes', () => {
  const frame = encodeFrame(Opcode.text, 'é€');
  assert.is(frame[1], 5);
  assert.is(frame.subarray(2).toString('utf8'), 'é€');
});

test('refuses a mask that is not 4 bytes', () => {
  assert.throws(() => encodeFrame(Opcode.text, 'a', { mask: new Uint8Array(3) }), /4 bytes/);
});

test('regression: wrote an empty continuation frame with RSV1 (and other frames the decoder refuses)', () => {
  const refused: [number, number, { fin?: boolean; rsv1?: boolean }][] = [
    [Opcode.continuation, 0, { fin: false, rsv1: true }],
    [Opcode.ping, 0, { rsv1: true }],
    [Opcode.close, 2, { fin: false }],
    [Opcode.pong, 126, {}],
    [0x3, 0, {}],
  ];
  for (const [opcode, length, options] of refused) {
    const write = () => encodeFrame(opcode as Opcode, new Uint8Array(length), options);
    assert.throws(write, RangeError, `opcode ${opcode}, ${length} bytes, ${JSON.stringify(options)}`);
  }
  const frames = new FrameDecoder({ role: 'client', compression: true }).push(
    Buffer.concat([
      encodeFrame(Opcode.text, 'a', { fin: false, rsv1: true }),
      encodeFrame(Opcode.ping, new Uint8Array(125)),
      encodeFrame(Opcode.continuation, 'b'),
    ]),
  );
  assert.equal(
    frames.map(({ opcode, fin, rsv1 }) => [opcode, fin, rsv1]),
    [
      [Opcode.text, false, true],
      [Opcode.ping, true, false],
      [Opcode.continuation, true, false],
    ],
  );
});

test.run();
