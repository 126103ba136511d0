/**
 * `encodeFrame`: one RFC 6455 frame as bytes, masked when a client sends it.
 *
 * @module
 */

import { isControl, Opcode } from './frame.js';
import { applyMask } from './frame-decoder.js';

/**
 * How a frame is written.
 *
 * @example
 * ```ts
 * encodeFrame(Opcode.text, 'hi', { fin: false, mask: randomBytes(4) });
 * ```
 */
export interface EncodeFrameOptions {
  /** Whether it is the last frame of its message. Default true. */
  readonly fin?: boolean;
  /** RSV1: the first frame of a compressed message. Default false. */
  readonly rsv1?: boolean;
  /** The 4-byte masking key (a client must mask every frame, with a fresh random key); none for a server. */
  readonly mask?: Uint8Array;
}

/**
 * Writes a frame: its head (the length in its shortest form) and its payload, a string as
 * UTF-8, masked with `mask` when given (the payload given is not changed), as one Buffer.
 *
 * ```text
 * encodeFrame(Opcode.text, 'Hello') → 81 05 48 65 6c 6c 6f
 * ```
 *
 * @throws RangeError for a mask that is not 4 bytes, or a frame RFC 6455 forbids (which a reader
 * fails the connection over): an unknown opcode, a control frame fragmented or over 125 bytes,
 * RSV1 on a control or continuation frame.
 * @example
 * ```ts
 * connection.write(encodeFrame(Opcode.binary, new Uint8Array([1, 2, 3])));
 * ```
 */
export function encodeFrame(
  opcode: Opcode,
  payload: Uint8Array | string,
  options: EncodeFrameOptions = {},
): Buffer {
  const text = typeof payload === 'string';
  const length = text ? Buffer.byteLength(payload) : payload.length;
  const mask = options.mask;
  if (mask !== undefined && mask.length !== 4)
    throw new RangeError(`a masking key has 4 bytes, not ${mask.length}`);
  checkFrame(opcode, length, options);
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const headSize = 2 + lengthBytes + (mask === undefined ? 0 : 4);
  const frame = Buffer.allocUnsafe(headSize + length);
  frame[0] = (options.fin === false ? 0 : 0x80) | (options.rsv1 === true ? 0x40 : 0) | opcode;
  const maskBit = mask === undefined ? 0 : 0x80;
  if (lengthBytes === 0) {
    frame[1] = maskBit | length;
  } else if (lengthBytes === 2) {
    frame[1] = maskBit | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = maskBit | 127;
    frame.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  if (mask !== undefined) frame.set(mask, 2 + lengthBytes);
  if (text) frame.write(payload, headSize, 'utf8');
  else frame.set(payload, headSize);
  if (mask !== undefined) applyMask(frame.subarray(headSize), mask);
  return frame;
}

const opcodes = new Set<number>(Object.values(Opcode));

/** Throws RangeError for a frame the rules forbid (RFC 6455 section 5). */
function checkFrame(opcode: Opcode, length: number, options: EncodeFrameOptions): void {
  if (!opcodes.has(opcode)) throw new RangeError(`unknown opcode ${opcode}`);
  const control = isControl(opcode);
  if (control && options.fin === false) throw new RangeError('a control frame cannot be fragmented');
  if (control && length > 125)
    throw new RangeError(`a control frame carries at most 125 bytes, not ${length}`);
  if (options.rsv1 === true && (control || opcode === Opcode.continuation)) {
    throw new RangeError(
      'RSV1 marks the first frame of a compressed message, not a control or continuation frame',
    );
  }
}
