import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  closePayload,
  isValidCloseCode,
  parseClosePayload,
} from '../../../protocols/websocket/close-code.js';
import { Opcode } from '../../../protocols/websocket/frame.js';
import { MessageDecoder, type WebSocketEvent } from '../../../protocols/websocket/message-decoder.js';
import { WebSocketError } from '../../../protocols/websocket/websocket-error.js';
import { chunkings, feed } from '../../support/chunkings.js';
import { frames, rawFrame } from './_frames.js';

const test = suite('protocols/websocket/message-decoder');

function atEverySplit(
  input: Uint8Array,
  expected: readonly WebSocketEvent[],
  maxMessageBytes?: number,
): void {
  for (const { label, chunks } of chunkings(input)) {
    const { frames: events, error } = feed(new MessageDecoder({ role: 'server', maxMessageBytes }), chunks);
    assert.is(error, undefined, `${label}: ${String(error)}`);
    assert.equal(
      events.map((event) =>
        'data' in event && event.data instanceof Uint8Array
          ? { ...event, data: Uint8Array.from(event.data) }
          : event,
      ),
      expected,
      label,
    );
  }
}

test('a text message in one frame, and a binary one', () => {
  atEverySplit(frames(rawFrame(Opcode.text, 'héllo'), rawFrame(Opcode.binary, Uint8Array.from([0, 255]))), [
    { type: 'message', data: 'héllo' },
    { type: 'message', data: Uint8Array.from([0, 255]) },
  ]);
});

test('a fragmented text message whose characters straddle the fragments, with a ping between', () => {
  const euro = Buffer.from('€uro'); // e2 82 ac 75 72 6f
  const input = frames(
    rawFrame(Opcode.text, euro.subarray(0, 1), { fin: false }),
    rawFrame(Opcode.ping, 'p'),
    rawFrame(Opcode.continuation, euro.subarray(1, 2), { fin: false }),
    rawFrame(Opcode.continuation, '', { fin: false }),
    rawFrame(Opcode.continuation, euro.subarray(2)),
  );
  atEverySplit(input, [
    { type: 'ping', data: Uint8Array.from(Buffer.from('p')) },
    { type: 'message', data: '€uro' },
  ]);
});

test('a fragmented binary message, a pong, and a close with a code and reason; nothing after the close is read', () => {
  const input = frames(
    rawFrame(Opcode.binary, 'ab', { fin: false }),
    rawFrame(Opcode.continuation, 'cd'),
    rawFrame(Opcode.pong, ''),
    rawFrame(Opcode.close, closePayload(1001, 'bye')),
    rawFrame(0x3, 'after the close: ignored'),
  );
  atEverySplit(input, [
    { type: 'message', data: Uint8Array.from(Buffer.from('abcd')) },
    { type: 'pong', data: new Uint8Array(0) },
    { type: 'close', code: 1001, reason: 'bye' },
  ]);
});

test('an empty close frame means 1005, no status', () => {
  atEverySplit(rawFrame(Opcode.close, ''), [{ type: 'close', code: 1005, reason: '' }]);
});

test('a message of exactly maxMessageBytes passes, across fragments', () => {
  const input = frames(
    rawFrame(Opcode.text, 'a'.repeat(10), { fin: false }),
    rawFrame(Opcode.continuation, 'b'.repeat(6)),
  );
  atEverySplit(input, [{ type: 'message', data: `${'a'.repeat(10)}${'b'.repeat(6)}` }], 16);
});

test('invalid UTF-8 is refused at the fragment that carries it, though the message never ends', () => {
  const decoder = new MessageDecoder({ role: 'server' });
  decoder.push(rawFrame(Opcode.text, 'fine so far', { fin: false }));
  assert.throws(
    () => decoder.push(rawFrame(Opcode.continuation, Buffer.from([0xf8]), { fin: false })),
    (error: unknown) => error instanceof WebSocketError && error.closeCode === 1007,
  );
});

test('the input ending inside a message is an abnormal closure (1006)', () => {
  const decoder = new MessageDecoder({ role: 'server' });
  decoder.push(rawFrame(Opcode.text, 'half', { fin: false }));
  assert.throws(
    () => decoder.end(),
    (error: unknown) => error instanceof WebSocketError && error.closeCode === 1006,
  );
});

test('close codes: which may be sent, and the payload both ways', () => {
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999]) {
    assert.ok(isValidCloseCode(code), String(code));
    assert.equal(parseClosePayload(closePayload(code, 'why')), { code, reason: 'why' });
  }
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 1000.5]) {
    assert.not.ok(isValidCloseCode(code), String(code));
  }
  assert.is(closePayload(1005).length, 0);
  assert.throws(() => closePayload(1006), /may not be sent/);
  assert.throws(() => closePayload(1000, 'x'.repeat(124)), /123/);
});

test.run();
