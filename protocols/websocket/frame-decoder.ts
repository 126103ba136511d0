/**
 * `FrameDecoder`: the sans-I/O reader of RFC 6455 frames (section 5.2), strict about every rule
 * a peer must follow.
 *
 * @module
 */
import type { Decoder } from '../../operators/decoder.js';
import { isControl, type Opcode, type WebSocketFrame } from './frame.js';
import { WebSocketError } from './websocket-error.js';

/**
 * Which end of the connection reads: a `server` reads a client's frames (which must be masked), a
 * `client` a server's (which must not be).
 */
export type WebSocketRole = 'server' | 'client';

/**
 * Options of `FrameDecoder`.
 *
 * @example
 * ```ts
 * new FrameDecoder({ role: 'server', maxFrameBytes: 1024 * 1024, compression: true });
 * ```
 */
export interface FrameDecoderOptions {
  /** Which end reads (`server`: frames must be masked; `client`: they must not be). */
  readonly role: WebSocketRole;
  /** The largest payload a frame may declare; a larger one is refused (1009) before it is read. Default 16 MiB. */
  readonly maxFrameBytes?: number;
  /** Whether RSV1 may mark the first frame of a data message (permessage-deflate was negotiated). Default false. */
  readonly compression?: boolean;
}

type State = 'head' | 'payload';

/** Opcodes a peer may send: 0-2 and 8-10. */
const known = new Set<number>([0x0, 0x1, 0x2, 0x8, 0x9, 0xa]);
const empty = new Uint8Array(0);

/**
 * XORs `payload` with the 4-byte `mask` from `maskAt`, in place (masking and unmasking are the
 * same operation).
 *
 * @example
 * ```ts
 * applyMask(payload, maskKey, 0);
 * ```
 */
export function applyMask(payload: Uint8Array, mask: Uint8Array, maskAt = 0): void {
  const m0 = mask[maskAt]!;
  const m1 = mask[maskAt + 1]!;
  const m2 = mask[maskAt + 2]!;
  const m3 = mask[maskAt + 3]!;
  const length = payload.length;
  const whole = length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    payload[i] = payload[i]! ^ m0;
    payload[i + 1] = payload[i + 1]! ^ m1;
    payload[i + 2] = payload[i + 2]! ^ m2;
    payload[i + 3] = payload[i + 3]! ^ m3;
  }
  for (; i < length; i++) payload[i] = payload[i]! ^ mask[maskAt + (i & 3)]!;
}

/**
 * Reads frames: FIN, RSV1 and the opcode, the 7-, 16- or 64-bit payload length (each in its
 * shortest form, as RFC 6455 requires), the mask, and the payload, unmasked. It refuses, with a
 * `WebSocketError` of close code 1002: RSV2 or RSV3 set, RSV1 set without compression (or on a
 * control or continuation frame), an unknown opcode, a control frame fragmented or over 125
 * bytes, a length not in its shortest form or over 2^63, and a frame masked when the role says
 * it must not be (or the reverse); and with 1009 a frame longer than `maxFrameBytes`, as soon as
 * its length is read. Reassembling messages is `MessageDecoder`'s business.
 *
 * A payload that came whole in one chunk is a view of that chunk, unmasked in place (the chunk
 * is the decoder's to change); one spread over chunks is copied together.
 *
 * ```text
 * push(81 85 37 fa 21 3d 7f 9f 4d 51 58) → [{ fin: true, opcode: text, payload: 'Hello' }]
 * ```
 *
 * @example
 * ```ts
 * const decoder = new FrameDecoder({ role: 'server' });
 * for (const frame of decoder.push(chunk)) console.log(frame.opcode, frame.payload.length);
 * ```
 */
export class FrameDecoder implements Decoder<WebSocketFrame> {
  private readonly _masked: boolean;
  private readonly _maxFrameBytes: number;
  private readonly _compression: boolean;
  private _state: State = 'head';
  /** The head bytes so far, when a head is split over chunks. */
  private readonly _head = new Uint8Array(14);
  private _headLength = 0;
  private _fin = false;
  private _rsv1 = false;
  private _opcode: Opcode = 0;
  private _mask: Uint8Array | undefined = undefined;
  /** The payload being gathered over chunks, and how much of it is in. */
  private _payload: Uint8Array = empty;
  private _received = 0;

  constructor(options: FrameDecoderOptions) {
    this._masked = options.role === 'server';
    this._maxFrameBytes = options.maxFrameBytes ?? 16 * 1024 * 1024;
    this._compression = options.compression ?? false;
  }

  /** Whether the decoder is between frames. */
  get idle(): boolean {
    return this._state === 'head' && this._headLength === 0;
  }

  /**
   * Decodes `chunk`, appending the frames it completes.
   *
   * @throws WebSocketError at the first byte that breaks a rule, after the frames before it.
   */
  push(chunk: Uint8Array, frames: WebSocketFrame[] = []): WebSocketFrame[] {
    const end = chunk.length;
    let i = 0;
    while (i < end) {
      if (this._state === 'payload') {
        i = this._gather(chunk, i, frames);
        continue;
      }
      if (this._headLength === 0) {
        const size = end - i >= 2 ? this._headSize(chunk[i + 1]!) : -1;
        if (size > 0 && end - i >= size) {
          i = this._begin(chunk, i, frames);
          continue;
        }
      }
      // a head split over chunks: gather it byte by byte
      const head = this._head;
      head[this._headLength++] = chunk[i++]!;
      if (this._headLength < 2) continue;
      const size = this._headSize(head[1]!);
      if (this._headLength === size) {
        this._headLength = 0;
        this._begin(head, 0, frames);
      }
    }
    return frames;
  }

  /**
   * The input is over.
   *
   * @throws WebSocketError (1006) when it ends inside a frame.
   */
  end(frames: WebSocketFrame[] = []): WebSocketFrame[] {
    if (!this.idle) throw new WebSocketError(1006, 'the connection ended inside a frame');
    return frames;
  }

  /** The head's size, from its second byte. */
  private _headSize(second: number): number {
    const length = second & 0x7f;
    return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
  }

  /** Reads a whole head at `at`, then the payload that follows in `bytes` if any; returns where it stopped. */
  private _begin(bytes: Uint8Array, at: number, frames: WebSocketFrame[]): number {
    const first = bytes[at]!;
    const second = bytes[at + 1]!;
    const fin = (first & 0x80) !== 0;
    const rsv1 = (first & 0x40) !== 0;
    const opcode = first & 0x0f;
    if ((first & 0x30) !== 0)
      throw new WebSocketError(1002, 'RSV2 or RSV3 is set, and no extension uses them');
    if (!known.has(opcode)) throw new WebSocketError(1002, `unknown opcode 0x${opcode.toString(16)}`);
    const control = isControl(opcode);
    if (rsv1 && (!this._compression || control || opcode === 0)) {
      throw new WebSocketError(
        1002,
        this._compression
          ? 'RSV1 is set on a control or continuation frame'
          : 'RSV1 is set, and no extension was negotiated',
      );
    }
    const masked = (second & 0x80) !== 0;
    if (masked !== this._masked) {
      throw new WebSocketError(1002, masked ? 'a server frame is masked' : 'a client frame is not masked');
    }
    let length = second & 0x7f;
    let next = at + 2;
    if (control && !fin) throw new WebSocketError(1002, 'a control frame is fragmented');
    if (control && length > 125) throw new WebSocketError(1002, 'a control frame is longer than 125 bytes');
    if (length === 126) {
      length = (bytes[next]! << 8) | bytes[next + 1]!;
      next += 2;
      if (length < 126) throw new WebSocketError(1002, `a 16-bit length of ${length} (not minimal)`);
    } else if (length === 127) {
      const high =
        ((bytes[next]! << 24) | (bytes[next + 1]! << 16) | (bytes[next + 2]! << 8) | bytes[next + 3]!) >>> 0;
      const low =
        ((bytes[next + 4]! << 24) | (bytes[next + 5]! << 16) | (bytes[next + 6]! << 8) | bytes[next + 7]!) >>>
        0;
      next += 8;
      if (high >= 0x80000000) throw new WebSocketError(1002, 'a 64-bit length with its top bit set');
      length = high * 0x100000000 + low;
      if (length < 0x10000) throw new WebSocketError(1002, `a 64-bit length of ${length} (not minimal)`);
    }
    if (length > this._maxFrameBytes) {
      throw new WebSocketError(1009, `a frame of ${length} bytes, over the limit of ${this._maxFrameBytes}`);
    }
    let mask: Uint8Array | undefined;
    if (masked) {
      mask = bytes === this._head ? this._head.slice(next, next + 4) : bytes.subarray(next, next + 4);
      next += 4;
    }
    const typed = opcode as Opcode;
    if (bytes !== this._head && bytes.length - next >= length) {
      // the whole payload is here: a view, unmasked in place
      const payload = bytes.subarray(next, next + length);
      if (mask !== undefined) applyMask(payload, mask);
      frames.push({ fin, rsv1, opcode: typed, payload });
      return next + length;
    }
    this._fin = fin;
    this._rsv1 = rsv1;
    this._opcode = typed;
    this._mask = mask === undefined ? undefined : Uint8Array.from(mask);
    this._payload = length === 0 ? empty : Buffer.allocUnsafe(length);
    this._received = 0;
    if (length === 0) {
      this._finish(frames);
      return next;
    }
    this._state = 'payload';
    return bytes === this._head ? at : next;
  }

  /** Copies payload bytes from `chunk` at `i`; returns where it stopped. */
  private _gather(chunk: Uint8Array, i: number, frames: WebSocketFrame[]): number {
    const payload = this._payload;
    const n = Math.min(payload.length - this._received, chunk.length - i);
    payload.set(chunk.subarray(i, i + n), this._received);
    this._received += n;
    if (this._received === payload.length) this._finish(frames);
    return i + n;
  }

  private _finish(frames: WebSocketFrame[]): void {
    const payload = this._payload;
    if (this._mask !== undefined) applyMask(payload, this._mask);
    frames.push({ fin: this._fin, rsv1: this._rsv1, opcode: this._opcode, payload });
    this._state = 'head';
    this._payload = empty;
    this._mask = undefined;
  }
}
