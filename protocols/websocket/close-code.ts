/**
 * Close codes (RFC 6455 section 7.4): which may be sent, which may be received, and the close
 * frame's payload both ways.
 *
 * @module
 */
import { WebSocketError } from './websocket-error.js';

/**
 * Whether a close frame may carry `code`: 1000-1003, 1007-1014 (the registered ones), or
 * 3000-4999 (libraries, frameworks and applications). 1004 is reserved; 1005, 1006 and 1015 only
 * say, locally, that a close had no code, no close frame, or a TLS failure: never on the wire.
 *
 * @example
 * ```ts
 * isValidCloseCode(1000); // true
 * isValidCloseCode(1005); // false
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

/**
 * A close frame's meaning: its code (1005 when it had none) and its reason.
 *
 * @example
 * ```ts
 * const info: CloseFrame = { code: 1000, reason: 'bye' };
 * ```
 */
export interface CloseFrame {
  readonly code: number;
  readonly reason: string;
}

const reasonDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a close frame's payload: empty (code 1005, "no status received"), or a code and a UTF-8
 * reason.
 *
 * @throws WebSocketError 1002 for a 1-byte payload or a code that may not be sent, 1007 for a
 * reason that is not UTF-8.
 * @example
 * ```ts
 * parseClosePayload(Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65])); // { code: 1000, reason: 'bye' }
 * ```
 */
export function parseClosePayload(payload: Uint8Array): CloseFrame {
  if (payload.length === 0) return { code: 1005, reason: '' };
  if (payload.length === 1) throw new WebSocketError(1002, 'a close frame with a 1-byte payload');
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) throw new WebSocketError(1002, `a close frame with code ${code}`);
  let reason: string;
  try {
    reason = reasonDecoder.decode(payload.subarray(2));
  } catch (error) {
    throw new WebSocketError(1007, 'a close reason that is not UTF-8', { cause: error });
  }
  return { code, reason };
}

/**
 * A close frame's payload for `code` and `reason` (empty for 1005: no code).
 *
 * @throws RangeError for a code that may not be sent, or a reason over 123 bytes of UTF-8.
 * @example
 * ```ts
 * encodeFrame(Opcode.close, closePayload(1001, 'going away'));
 * ```
 */
export function closePayload(code: number, reason = ''): Uint8Array {
  if (code === 1005) {
    if (reason.length > 0) throw new RangeError('a close without a code has no reason');
    return new Uint8Array(0);
  }
  if (!isValidCloseCode(code)) throw new RangeError(`close code ${code} may not be sent`);
  const size = Buffer.byteLength(reason);
  if (size > 123) throw new RangeError(`a close reason of ${size} bytes (at most 123)`);
  const payload = Buffer.allocUnsafe(2 + size);
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2, 'utf8');
  return payload;
}
