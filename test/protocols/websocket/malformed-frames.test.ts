import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageDecoder } from '../../../protocols/websocket/message-decoder.js';
import { MessageInflater } from '../../../protocols/websocket/per-message-deflate.js';
import { WebSocketError } from '../../../protocols/websocket/websocket-error.js';
import { chunkings, feed } from '../../support/chunkings.js';
import { type MalformedFrames, malformedFrames } from './malformed-frames.js';

const test = suite('protocols/websocket/malformed-frames');

function decoder(malformed: MalformedFrames): MessageDecoder {
  return new MessageDecoder({
    role: malformed.role ?? 'server',
    maxMessageBytes: malformed.maxMessageBytes,
    maxFrameBytes: malformed.maxFrameBytes,
    inflater: malformed.compression === true ? new MessageInflater(false) : undefined,
  });
}

test('the corpus holds at least 40 cases, each named once', () => {
  assert.ok(malformedFrames.length >= 40, `${malformedFrames.length} cases`);
  assert.is(new Set(malformedFrames.map((c) => c.name)).size, malformedFrames.length);
});

for (const malformed of malformedFrames) {
  test(`${malformed.name}: ${malformed.code}, at every split`, () => {
    for (const { label, chunks } of chunkings(malformed.input)) {
      const { frames: events, error } = feed(decoder(malformed), chunks);
      assert.instance(error, WebSocketError, `${label}: expected a WebSocketError, got ${String(error)}`);
      const refusal = error as WebSocketError;
      assert.is(refusal.closeCode, malformed.code, `${label}: ${refusal.message}`);
      assert.is(refusal.protocolCode, malformed.code, label);
      const messages = events.filter((event) => event.type === 'message');
      assert.is(messages.length, malformed.messages ?? 0, `${label}: messages before the error`);
    }
  });
}

test('every case is refused by push alone, before the input ends', () => {
  for (const malformed of malformedFrames) {
    assert.throws(
      () => decoder(malformed).push(Uint8Array.from(malformed.input)),
      (error: unknown) => error instanceof WebSocketError,
      malformed.name,
    );
  }
});

test.run();
