/**
 * Fuzz properties of the WebSocket codec: `encodeFrame` against `FrameDecoder`, and messages
 * (fragmented, compressed with permessage-deflate, with control frames between fragments and a
 * close at the end) against `MessageDecoder`. What the encoder writes comes back frame by frame
 * and message by message at any split; any input at any split yields only WebSocketError, frames
 * and messages within their limits, and what the input gives in one chunk.
 *
 * @module
 */
import fc from 'fast-check';
import { closePayload } from '../../protocols/websocket/close-code.js';
import { encodeFrame } from '../../protocols/websocket/encode-frame.js';
import { Opcode, type WebSocketFrame } from '../../protocols/websocket/frame.js';
import { FrameDecoder, type WebSocketRole } from '../../protocols/websocket/frame-decoder.js';
import { MessageDecoder, type WebSocketEvent } from '../../protocols/websocket/message-decoder.js';
import { MessageDeflater, MessageInflater } from '../../protocols/websocket/per-message-deflate.js';
import { WebSocketError } from '../../protocols/websocket/websocket-error.js';
import { type Fed, feed } from '../support/chunkings.js';
import {
  check,
  cut,
  cutPoints,
  type FuzzProperty,
  fuzzProperty,
  hostile,
  onlyTyped,
  same,
  unlessRefused,
} from './_fuzz.js';

const opcodes = Object.values(Opcode);
const mask = fc.uint8Array({ minLength: 4, maxLength: 4 });
/** Payloads of every length form: 7-bit, 16-bit, and now and then one past 64 KiB. */
const payload = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 140 }) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 126, maxLength: 400 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0xffff, max: 0x10004 }).map((length) => Buffer.alloc(length, length & 0xff)),
  },
);

/** A frame as `encodeFrame` is asked to write it. */
interface FrameModel {
  readonly opcode: Opcode;
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly payload: Uint8Array;
}

const frameModel: fc.Arbitrary<FrameModel> = fc.record({
  opcode: fc.constantFrom(...opcodes),
  fin: fc.boolean(),
  rsv1: fc.boolean(),
  payload,
});

/** The bytes of `frames` as `encodeFrame` writes them, masked when `masked`; frames it refuses left out. */
function encoded(
  frames: readonly FrameModel[],
  masks: readonly Uint8Array[] | undefined,
): {
  bytes: Buffer;
  written: FrameModel[];
} {
  const parts: Uint8Array[] = [];
  const written: FrameModel[] = [];
  frames.forEach((frame, at) => {
    const options = {
      fin: frame.fin,
      rsv1: frame.rsv1,
      ...(masks === undefined ? {} : { mask: masks[at % masks.length]! }),
    };
    const bytes = unlessRefused(() => encodeFrame(frame.opcode, frame.payload, options));
    if (bytes === undefined) return;
    parts.push(bytes);
    written.push(frame);
  });
  return { bytes: Buffer.concat(parts), written };
}

/**
 * A FrameDecoder whose frames' payloads are copied as they come: a payload is a view of the chunk
 * pushed (unmasked in place), which `feed` overwrites once pushed.
 */
function copyingDecoder(role: WebSocketRole, compression: boolean, maxFrameBytes?: number) {
  const decoder = new FrameDecoder({
    role,
    compression,
    ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
  });
  return {
    push(chunk: Uint8Array, frames: WebSocketFrame[] = []): WebSocketFrame[] {
      const from = frames.length;
      try {
        decoder.push(chunk, frames);
      } finally {
        for (let at = from; at < frames.length; at++) {
          const frame = frames[at]!;
          frames[at] = { ...frame, payload: Uint8Array.from(frame.payload) };
        }
      }
      return frames;
    },
    end: (frames: WebSocketFrame[] = []) => decoder.end(frames),
  };
}

const plainFrame = (frame: WebSocketFrame | FrameModel) => ({
  fin: frame.fin,
  rsv1: frame.rsv1,
  opcode: frame.opcode,
  payload: [...frame.payload],
});

const frameRoundTrip = fuzzProperty(
  'websocket: frames encodeFrame writes, masked or not, FrameDecoder reads back at any split',
  100,
  fc.record({
    frames: fc.array(frameModel, { maxLength: 4 }),
    masks: fc.option(fc.array(mask, { minLength: 1, maxLength: 4 }), { nil: undefined }),
    points: cutPoints,
  }),
  ({ frames, masks, points }) => {
    const { bytes, written } = encoded(frames, masks);
    const role: WebSocketRole = masks === undefined ? 'client' : 'server';
    const fed = feed(copyingDecoder(role, true), cut(bytes, points));
    if (fed.error !== undefined) throw fed.error;
    same(fed.frames.map(plainFrame), written.map(plainFrame), 'the frames read');
  },
);

/** A message as a sender writes it: its fragments, any control frames between them, compressed or not. */
interface MessageModel {
  readonly binary: boolean;
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly fragments: readonly number[];
  readonly compressed: boolean;
  /** Pings and pongs written after the fragment at the same index. */
  readonly controls: readonly (readonly [Opcode, Uint8Array] | undefined)[];
}

const control = fc.option(
  fc.tuple(fc.constantFrom<Opcode>(Opcode.ping, Opcode.pong), fc.uint8Array({ maxLength: 125 })),
  { nil: undefined, freq: 3 },
);

const messageModel: fc.Arbitrary<MessageModel> = fc.record({
  binary: fc.boolean(),
  text: fc.string({ unit: 'grapheme', maxLength: 60 }),
  bytes: fc.uint8Array({ maxLength: 200 }),
  fragments: fc.array(fc.nat(), { maxLength: 3 }),
  compressed: fc.boolean(),
  controls: fc.array(control, { maxLength: 4 }),
});

/** A close frame's code and reason: a code that may be sent, a reason that fits. */
const closing = fc.option(
  fc.tuple(
    fc.oneof(
      fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011),
      fc.integer({ min: 3000, max: 4999 }),
    ),
    fc.string({ maxLength: 30 }),
  ),
  { nil: undefined },
);

/** Messages, their frames written as a sender does, and the events a reader must get. */
function conversation(
  messages: readonly MessageModel[],
  close: readonly [number, string] | undefined,
  masks: readonly Uint8Array[] | undefined,
  noContextTakeover: boolean,
): { bytes: Buffer; events: WebSocketEvent[] } {
  const deflater = new MessageDeflater(15, noContextTakeover);
  const frames: FrameModel[] = [];
  const events: WebSocketEvent[] = [];
  for (const message of messages) {
    const data = message.binary ? message.bytes : Buffer.from(message.text);
    const body = message.compressed ? deflater.compress(data) : data;
    const pieces = cut(body, message.fragments);
    pieces.forEach((piece, at) => {
      const first = at === 0;
      frames.push({
        opcode: first ? (message.binary ? Opcode.binary : Opcode.text) : Opcode.continuation,
        fin: at === pieces.length - 1,
        rsv1: first && message.compressed,
        payload: piece,
      });
      if (at === pieces.length - 1)
        events.push({ type: 'message', data: message.binary ? message.bytes : message.text });
      const between = message.controls[at];
      if (between !== undefined) {
        frames.push({ opcode: between[0], fin: true, rsv1: false, payload: between[1] });
        events.push({ type: between[0] === Opcode.ping ? 'ping' : 'pong', data: between[1] });
      }
    });
  }
  if (close !== undefined) {
    const reason = close[1].slice(0, 40);
    const payload = unlessRefused(() => closePayload(close[0], reason));
    if (payload !== undefined) {
      frames.push({ opcode: Opcode.close, fin: true, rsv1: false, payload });
      events.push({ type: 'close', code: close[0], reason });
    }
  }
  const { bytes, written } = encoded(frames, masks);
  check(written.length === frames.length, 'encodeFrame refused a frame a sender writes');
  return { bytes, events };
}

/** Events made comparable: byte data as arrays of numbers. */
const plainEvents = (events: readonly WebSocketEvent[]) =>
  events.map((event) =>
    'data' in event && event.data instanceof Uint8Array ? { ...event, data: [...event.data] } : event,
  );

const messageRoundTrip = fuzzProperty(
  'websocket: messages, fragmented, compressed, between pings and before a close, MessageDecoder reads back at any split',
  100,
  fc.record({
    messages: fc.array(messageModel, { maxLength: 3 }),
    close: closing,
    masks: fc.option(fc.array(mask, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    noContextTakeover: fc.boolean(),
    points: cutPoints,
  }),
  ({ messages, close, masks, noContextTakeover, points }) => {
    const { bytes, events } = conversation(messages, close, masks, noContextTakeover);
    const role: WebSocketRole = masks === undefined ? 'client' : 'server';
    const decoder = new MessageDecoder({ role, inflater: new MessageInflater(noContextTakeover) });
    const fed = feed(decoder, cut(bytes, points));
    if (fed.error !== undefined) throw fed.error;
    same(plainEvents(fed.frames), plainEvents(events), 'the events read');
  },
);

/** Checks a split feed against the same input in one chunk: the same frames or events, and error. */
function sameAsWhole<F>(fed: Fed<F>, whole: Fed<F>, plain: (frames: F[]) => unknown): void {
  onlyTyped(fed.error, WebSocketError);
  same(plain(fed.frames), plain(whole.frames), 'the split decode (vs in one chunk)');
  const code = (error: unknown) => (error === undefined ? 'none' : (error as WebSocketError).closeCode);
  same(code(fed.error), code(whole.error), 'the close code of the error (split vs in one chunk)');
}

const frameBytes = fc
  .record({
    frames: fc.array(frameModel, { maxLength: 4 }),
    masks: fc.option(fc.array(mask, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  })
  .map(({ frames, masks }) => encoded(frames, masks).bytes);

/** How a reader is set up: its role, whether compression was agreed, and its size limit. */
const readers = {
  role: fc.constantFrom<WebSocketRole>('server', 'client'),
  compression: fc.boolean(),
  limit: fc.integer({ min: 0, max: 300 }),
};

const frameHostile = fuzzProperty(
  'websocket: any input at any split gives frames within maxFrameBytes, or WebSocketError, as in one chunk',
  120,
  fc.record({ ...readers, input: hostile(frameBytes) }),
  ({ role, compression, limit: maxFrameBytes, input }) => {
    const fed = feed(copyingDecoder(role, compression, maxFrameBytes), input.chunks);
    onlyTyped(fed.error, WebSocketError);
    check(
      fed.frames.length <= input.bytes.length,
      `${fed.frames.length} frames from ${input.bytes.length} bytes`,
    );
    for (const frame of fed.frames)
      check(frame.payload.length <= maxFrameBytes, `a frame of ${frame.payload.length} bytes`);
    const whole = feed(copyingDecoder(role, compression, maxFrameBytes), [Uint8Array.from(input.bytes)]);
    sameAsWhole(fed, whole, (frames) => frames.map(plainFrame));
  },
);

const messageBytes = fc
  .record({
    messages: fc.array(messageModel, { maxLength: 3 }),
    close: closing,
    masks: fc.option(fc.array(mask, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  })
  .map(({ messages, close, masks }) => conversation(messages, close, masks, false).bytes);

const messageHostile = fuzzProperty(
  'websocket: any input at any split gives messages within maxMessageBytes, or WebSocketError, as in one chunk',
  120,
  fc.record({ ...readers, input: hostile(messageBytes) }),
  ({ role, compression, limit: maxMessageBytes, input }) => {
    const make = () =>
      new MessageDecoder({
        role,
        maxMessageBytes,
        ...(compression ? { inflater: new MessageInflater(false) } : {}),
      });
    const fed = feed(make(), input.chunks);
    onlyTyped(fed.error, WebSocketError);
    for (const event of fed.frames) {
      if (event.type !== 'message') continue;
      const size = typeof event.data === 'string' ? Buffer.byteLength(event.data) : event.data.length;
      check(size <= maxMessageBytes, `a message of ${size} bytes, over ${maxMessageBytes}`);
    }
    sameAsWhole(fed, feed(make(), [Uint8Array.from(input.bytes)]), plainEvents);
  },
);

/** Every property of the WebSocket codec. */
export const properties: readonly FuzzProperty[] = [
  frameRoundTrip,
  messageRoundTrip,
  frameHostile,
  messageHostile,
];
