/**
 * The corpus of input a WebSocket endpoint must refuse: each with the close code it closes with.
 * Driven by malformed-frames.test.ts, which feeds each to a `MessageDecoder` at every split.
 * Sources: RFC 6455 sections 5 and 7.4, RFC 7692 section 6, and the Autobahn test suite's
 * categories (reserved bits, opcodes, control frames, fragmentation, UTF-8 handling, close).
 *
 * @module
 */
import type { WebSocketRole } from '../../../protocols/websocket/frame-decoder.js';
import { frames, rawFrame } from './_frames.js';

/** One malformed input. */
export interface MalformedFrames {
  readonly name: string;
  readonly input: Uint8Array;
  /** The close code to answer with. */
  readonly code: 1002 | 1007 | 1009;
  /** Which end reads. Default server (frames masked). */
  readonly role?: WebSocketRole;
  /** How many messages come whole before the error. Default 0. */
  readonly messages?: number;
  /** Limits small enough to feed at every split. */
  readonly maxMessageBytes?: number;
  readonly maxFrameBytes?: number;
  /** Whether permessage-deflate was negotiated. Default false. */
  readonly compression?: boolean;
}

const text = 0x1;
const binary = 0x2;
const continuation = 0x0;
const close = 0x8;
const ping = 0x9;
const pong = 0xa;
const hello = rawFrame(text, 'hello');
const code = (n: number, reason = ''): Uint8Array =>
  Buffer.concat([Buffer.from([n >> 8, n & 0xff]), Buffer.from(reason)]);

export const malformedFrames: readonly MalformedFrames[] = [
  // reserved bits and opcodes
  { name: 'RSV2 set', input: rawFrame(text, 'a', { rsv: 0b010 }), code: 1002 },
  { name: 'RSV3 set', input: rawFrame(text, 'a', { rsv: 0b001 }), code: 1002 },
  { name: 'RSV1 set with no extension', input: rawFrame(text, 'a', { rsv: 0b100 }), code: 1002 },
  {
    name: 'RSV1 on a continuation frame',
    input: frames(rawFrame(binary, 'a', { fin: false }), rawFrame(continuation, 'b', { rsv: 0b100 })),
    code: 1002,
    compression: true,
  },
  { name: 'RSV1 on a ping', input: rawFrame(ping, 'a', { rsv: 0b100 }), code: 1002, compression: true },
  { name: 'reserved data opcode 3', input: rawFrame(0x3, 'a'), code: 1002 },
  { name: 'reserved data opcode 7', input: rawFrame(0x7, ''), code: 1002 },
  { name: 'reserved control opcode 0xb', input: rawFrame(0xb, ''), code: 1002 },
  {
    name: 'reserved control opcode 0xf after a message',
    input: frames(hello, rawFrame(0xf, '')),
    code: 1002,
    messages: 1,
  },
  // masking
  { name: 'a client frame not masked', input: rawFrame(text, 'a', { mask: null }), code: 1002 },
  { name: 'a server frame masked', input: rawFrame(text, 'a'), code: 1002, role: 'client' },
  // lengths
  {
    name: 'a 16-bit length of 125',
    input: rawFrame(binary, 'x'.repeat(125), { lengthForm: 16 }),
    code: 1002,
  },
  { name: 'a 16-bit length of 0', input: rawFrame(binary, '', { lengthForm: 16 }), code: 1002 },
  {
    name: 'a 64-bit length of 65535',
    input: rawFrame(binary, '', { lengthForm: 64, declared: 65535 }),
    code: 1002,
  },
  {
    name: 'a 64-bit length of 200',
    input: rawFrame(binary, 'y'.repeat(200), { lengthForm: 64 }),
    code: 1002,
  },
  {
    name: 'a 64-bit length with its top bit set',
    input: Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 1, 0, 0, 0x37, 0xfa, 0x21, 0x3d]),
    code: 1002,
  },
  {
    name: 'a frame over maxFrameBytes',
    input: rawFrame(binary, 'z'.repeat(40)),
    code: 1009,
    maxFrameBytes: 32,
  },
  {
    name: 'a frame declaring 2^40 bytes (refused before its payload)',
    input: rawFrame(binary, '', { lengthForm: 64, declared: 2 ** 40 }),
    code: 1009,
  },
  {
    name: 'a message over maxMessageBytes across fragments',
    input: frames(
      rawFrame(binary, 'a'.repeat(20), { fin: false }),
      rawFrame(continuation, 'b'.repeat(20), { fin: false }),
    ),
    code: 1009,
    maxMessageBytes: 32,
  },
  {
    name: 'a single frame over maxMessageBytes',
    input: rawFrame(text, 'c'.repeat(33)),
    code: 1009,
    maxMessageBytes: 32,
    maxFrameBytes: 64,
  },
  // control frames
  { name: 'a fragmented ping', input: rawFrame(ping, 'a', { fin: false }), code: 1002 },
  { name: 'a fragmented close', input: rawFrame(close, code(1000), { fin: false }), code: 1002 },
  { name: 'a ping of 126 bytes', input: rawFrame(ping, 'p'.repeat(126)), code: 1002 },
  { name: 'a pong of 126 bytes', input: rawFrame(pong, 'p'.repeat(126)), code: 1002 },
  // fragmentation
  { name: 'a continuation with no message', input: rawFrame(continuation, 'a'), code: 1002 },
  {
    name: 'a new text message inside a fragmented one',
    input: frames(rawFrame(text, 'a', { fin: false }), rawFrame(text, 'b')),
    code: 1002,
  },
  {
    name: 'a new binary message inside a fragmented one',
    input: frames(rawFrame(binary, 'a', { fin: false }), rawFrame(binary, 'b', { fin: false })),
    code: 1002,
  },
  {
    name: 'a continuation after a whole message',
    input: frames(hello, rawFrame(continuation, 'again')),
    code: 1002,
    messages: 1,
  },
  // UTF-8
  {
    name: 'a text message with a lone continuation byte',
    input: rawFrame(text, Buffer.from([0x61, 0x80])),
    code: 1007,
  },
  {
    name: 'a text message with an overlong NUL (c0 80)',
    input: rawFrame(text, Buffer.from([0xc0, 0x80])),
    code: 1007,
  },
  {
    name: 'a text message with a surrogate (ed a0 80)',
    input: rawFrame(text, Buffer.from([0xed, 0xa0, 0x80])),
    code: 1007,
  },
  {
    name: 'a text message past U+10FFFF (f4 90 80 80)',
    input: rawFrame(text, Buffer.from([0xf4, 0x90, 0x80, 0x80])),
    code: 1007,
  },
  {
    name: 'a text message ending inside a character',
    input: rawFrame(text, Buffer.from([0x61, 0xe2, 0x82])),
    code: 1007,
  },
  {
    name: 'invalid UTF-8 in the second fragment, refused before the message ends',
    input: frames(
      rawFrame(text, 'ok', { fin: false }),
      rawFrame(continuation, Buffer.from([0xff]), { fin: false }),
    ),
    code: 1007,
  },
  {
    name: 'a fragmented text message ending inside a character',
    input: frames(
      rawFrame(text, Buffer.from([0xe2]), { fin: false }),
      rawFrame(continuation, Buffer.from([0x82])),
    ),
    code: 1007,
  },
  // close frames
  { name: 'a close frame with a 1-byte payload', input: rawFrame(close, Buffer.from([0x03])), code: 1002 },
  { name: 'close code 999', input: rawFrame(close, code(999)), code: 1002 },
  { name: 'close code 1004 (reserved)', input: rawFrame(close, code(1004)), code: 1002 },
  { name: 'close code 1005 (never sent)', input: rawFrame(close, code(1005)), code: 1002 },
  { name: 'close code 1006 (never sent)', input: rawFrame(close, code(1006)), code: 1002 },
  { name: 'close code 1015 (never sent)', input: rawFrame(close, code(1015)), code: 1002 },
  { name: 'close code 1016 (unassigned)', input: rawFrame(close, code(1016)), code: 1002 },
  { name: 'close code 2999', input: rawFrame(close, code(2999)), code: 1002 },
  { name: 'close code 5000', input: rawFrame(close, code(5000)), code: 1002 },
  {
    name: 'a close reason that is not UTF-8',
    input: rawFrame(close, Buffer.concat([code(1000), Buffer.from([0xff])])),
    code: 1007,
  },
];
