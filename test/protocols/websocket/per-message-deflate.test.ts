import { deflateRawSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Opcode } from '../../../protocols/websocket/frame.js';
import { MessageDecoder } from '../../../protocols/websocket/message-decoder.js';
import {
  acceptDeflate,
  confirmDeflate,
  MessageDeflater,
  MessageInflater,
  offerDeflate,
} from '../../../protocols/websocket/per-message-deflate.js';
import { WebSocketError, WebSocketHandshakeError } from '../../../protocols/websocket/websocket-error.js';
import { chunkings, feed } from '../../support/chunkings.js';
import { frames, rawFrame } from './_frames.js';

const test = suite('protocols/websocket/per-message-deflate');

test('the server accepts the first offer it can honour, answering only what the client may expect', () => {
  assert.is(acceptDeflate(undefined, {}), undefined);
  assert.is(acceptDeflate('x-webkit-deflate-frame', {}), undefined);
  assert.is(acceptDeflate('permessage-deflate; client_max_window_bits', {})?.response, 'permessage-deflate');
  const limited = acceptDeflate(
    'permessage-deflate; server_max_window_bits=10; client_no_context_takeover',
    {},
  );
  assert.is(limited?.response, 'permessage-deflate; client_no_context_takeover; server_max_window_bits=10');
  assert.equal(limited?.parameters, {
    serverNoContextTakeover: false,
    clientNoContextTakeover: true,
    serverMaxWindowBits: 10,
    clientMaxWindowBits: 15,
  });
  // an 8-bit server window (zlib cannot) and an unknown parameter decline those offers; the third is taken
  const third = acceptDeflate(
    'permessage-deflate; server_max_window_bits=8, permessage-deflate; mystery, permessage-deflate; client_max_window_bits=12',
    { serverNoContextTakeover: true, clientMaxWindowBits: 11 },
  );
  assert.is(third?.response, 'permessage-deflate; server_no_context_takeover; client_max_window_bits=11');
  assert.is(acceptDeflate('permessage-deflate; client_max_window_bits=16', {}), undefined);
  assert.is(acceptDeflate('permessage-deflate; server_no_context_takeover=1', {}), undefined);
  assert.throws(
    () => acceptDeflate('permessage-deflate; a="b', {}),
    (e: unknown) => e instanceof WebSocketHandshakeError,
  );
});

test('the client offers, and checks the answer against its offer', () => {
  assert.is(offerDeflate({}), 'permessage-deflate; client_max_window_bits');
  assert.is(
    offerDeflate({ serverNoContextTakeover: true, serverMaxWindowBits: 12 }),
    'permessage-deflate; server_no_context_takeover; server_max_window_bits=12; client_max_window_bits',
  );
  assert.equal(confirmDeflate('permessage-deflate; client_max_window_bits=10', {}), {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 10,
  });
  assert.is(confirmDeflate(undefined, {}), undefined);
  for (const bad of [
    'permessage-deflate, permessage-deflate',
    'x-other',
    'permessage-deflate; unknown',
    'permessage-deflate; client_max_window_bits=8',
    'permessage-deflate; server_max_window_bits=20',
  ]) {
    assert.throws(
      () => confirmDeflate(bad, {}),
      (e: unknown) => e instanceof WebSocketHandshakeError,
      bad,
    );
  }
  assert.throws(
    () => confirmDeflate('permessage-deflate; server_max_window_bits=15', { serverMaxWindowBits: 12 }),
    (e: unknown) => e instanceof WebSocketHandshakeError,
  );
});

for (const noContext of [false, true]) {
  test(`round trips a run of messages, ${noContext ? 'without' : 'with'} context takeover, the later ones smaller with it`, () => {
    const deflater = new MessageDeflater(15, noContext);
    const inflater = new MessageInflater(noContext);
    const message = Buffer.from('the same sentence, again and again. '.repeat(20));
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const compressed = deflater.compress(message);
      sizes.push(compressed.length);
      assert.equal(inflater.inflate([compressed], 1 << 20), message);
    }
    if (noContext) assert.is(sizes[3], sizes[0]);
    else assert.ok(sizes[3]! < sizes[0]!, `${sizes}`);
  });
}

test('a compressed message in fragments, at every split, with RSV1 on the first only', () => {
  const compressed = new MessageDeflater(15, false).compress(Buffer.from('héllo, héllo, héllo'));
  const input = frames(
    rawFrame(Opcode.text, compressed.subarray(0, 3), { fin: false, rsv: 0b100 }),
    rawFrame(Opcode.ping, ''),
    rawFrame(Opcode.continuation, compressed.subarray(3)),
  );
  for (const { label, chunks } of chunkings(input)) {
    const { frames: events, error } = feed(
      new MessageDecoder({ role: 'server', inflater: new MessageInflater(false) }),
      chunks,
    );
    assert.is(error, undefined, label);
    assert.equal(events.at(-1), { type: 'message', data: 'héllo, héllo, héllo' }, label);
  }
});

test('a zip bomb closes with 1009 once its output passes the limit', () => {
  const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
  assert.ok(bomb.length < 100 * 1024, `${bomb.length} bytes`);
  const decoder = new MessageDecoder({
    role: 'client',
    maxMessageBytes: 1024 * 1024,
    inflater: new MessageInflater(false),
  });
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(
    () => decoder.push(rawFrame(Opcode.binary, bomb, { mask: null, rsv: 0b100 })),
    (error: unknown) => error instanceof WebSocketError && error.closeCode === 1009,
  );
  assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, 'inflated far past the limit');
});

test('compressed data that is not deflate closes with 1007, and compressed text that is not UTF-8 too', () => {
  const decoder = () => new MessageDecoder({ role: 'server', inflater: new MessageInflater(false) });
  assert.throws(
    () => decoder().push(rawFrame(Opcode.binary, Buffer.from([0xff, 0xff, 0xff]), { rsv: 0b100 })),
    (error: unknown) => error instanceof WebSocketError && error.closeCode === 1007,
  );
  const notText = new MessageDeflater(15, true).compress(Buffer.from([0x61, 0xff]));
  assert.throws(
    () => decoder().push(rawFrame(Opcode.text, notText, { rsv: 0b100 })),
    (error: unknown) => error instanceof WebSocketError && error.closeCode === 1007,
  );
});

test.run();
