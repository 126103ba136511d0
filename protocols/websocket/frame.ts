/**
 * `WebSocketFrame`: one frame of RFC 6455 (section 5.2), as `FrameDecoder` reads it and
 * `encodeFrame` writes it, and the opcodes.
 *
 * @module
 */

/**
 * The opcodes of RFC 6455: data frames (`continuation`, `text`, `binary`) and control frames
 * (`close`, `ping`, `pong`, all 8 and above).
 *
 * @example
 * ```ts
 * encodeFrame(Opcode.ping, Buffer.from('hi'));
 * ```
 */
export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** One of the six opcodes RFC 6455 defines. */
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/**
 * A frame, its payload unmasked. `rsv1` marks the first frame of a compressed message
 * (permessage-deflate); RSV2 and RSV3 are never set (no extension here uses them).
 *
 * @example
 * ```ts
 * const frame: WebSocketFrame = { fin: true, rsv1: false, opcode: Opcode.text, payload: Buffer.from('hi') };
 * ```
 */
export interface WebSocketFrame {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly opcode: Opcode;
  readonly payload: Uint8Array;
}

/**
 * Whether `opcode` is a control frame's (close, ping, pong).
 *
 * @example
 * ```ts
 * isControl(Opcode.ping); // true
 * ```
 */
export function isControl(opcode: number): boolean {
  return opcode >= 0x8;
}
