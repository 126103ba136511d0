/**
 * Test helpers for the WebSocket codec: `rawFrame` writes a frame with any head (including the
 * ones the rules forbid), masked with a fixed key unless told otherwise.
 *
 * @module
 */

/** The masking key of the RFC 6455 examples (section 5.7). */
export const exampleMask = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);

/** How `rawFrame` writes a frame's head. */
export interface RawFrameOptions {
  /** FIN. Default true. */
  readonly fin?: boolean;
  /** The RSV bits, as the three bits 0b(rsv1)(rsv2)(rsv3). Default 0. */
  readonly rsv?: number;
  /** The masking key; `null` for an unmasked frame. Default `exampleMask`. */
  readonly mask?: Uint8Array | null;
  /** The length's form: 7, 16 or 64 bits. Default the shortest. */
  readonly lengthForm?: 7 | 16 | 64;
  /** The length to declare, when not the payload's (with `lengthForm`). */
  readonly declared?: number;
}

/**
 * A frame's bytes, exactly as told.
 *
 * @example
 * ```ts
 * rawFrame(0x1, 'Hello', { mask: null }); // 81 05 48 65 6c 6c 6f
 * ```
 */
export function rawFrame(
  opcode: number,
  payload: Uint8Array | string,
  options: RawFrameOptions = {},
): Uint8Array {
  const data = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const mask = options.mask === undefined ? exampleMask : options.mask;
  const declared = options.declared ?? data.length;
  const form = options.lengthForm ?? (declared < 126 ? 7 : declared < 0x10000 ? 16 : 64);
  const head: number[] = [((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode];
  const maskBit = mask === null ? 0 : 0x80;
  if (form === 7) head.push(maskBit | declared);
  else if (form === 16) head.push(maskBit | 126, declared >> 8, declared & 0xff);
  else {
    const high = Math.floor(declared / 0x100000000);
    head.push(maskBit | 127, high >>> 24, (high >> 16) & 0xff, (high >> 8) & 0xff, high & 0xff);
    head.push(declared >>> 24, (declared >> 16) & 0xff, (declared >> 8) & 0xff, declared & 0xff);
  }
  if (mask !== null) {
    head.push(...mask);
    for (let i = 0; i < data.length; i++) data[i] = data[i]! ^ mask[i & 3]!;
  }
  return Buffer.concat([Buffer.from(head), data]);
}

/** Bytes from hex pairs (`'81 05 48'`). */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

/** The bytes of several frames, one after the other. */
export function frames(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
