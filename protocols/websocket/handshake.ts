/**
 * The opening handshake's rules (RFC 6455 section 4): the `Sec-WebSocket-Accept` proof, and
 * what makes a request a valid WebSocket upgrade.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { HttpHeaders } from '../http/headers.js';

const guid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const keyPattern = /^[A-Za-z0-9+/]{22}==$/;

/**
 * The `Sec-WebSocket-Accept` value that answers `key`: base64 of the SHA-1 of the key and RFC
 * 6455's GUID.
 *
 * @example
 * ```ts
 * webSocketAccept('dGhlIHNhbXBsZSBub25jZQ=='); // 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='
 * ```
 */
export function webSocketAccept(key: string): string {
  return createHash('sha1')
    .update(key + guid)
    .digest('base64');
}

/**
 * Whether `key` is a valid `Sec-WebSocket-Key`: 16 bytes in base64 (24 characters).
 *
 * @example
 * ```ts
 * isWebSocketKey('dGhlIHNhbXBsZSBub25jZQ=='); // true
 * ```
 */
export function isWebSocketKey(key: string | undefined): key is string {
  return key !== undefined && keyPattern.test(key) && Buffer.from(key, 'base64').length === 16;
}

/**
 * The comma-separated tokens of the header `name`, trimmed (lowercased when `lower`).
 *
 * @example
 * ```ts
 * headerTokens(request.headers, 'sec-websocket-protocol', false); // ['chat', 'superchat']
 * ```
 */
export function headerTokens(headers: HttpHeaders, name: string, lower: boolean): string[] {
  const value = headers.get(name);
  if (value === undefined) return [];
  const tokens = value
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token.length > 0);
  return lower ? tokens.map((token) => token.toLowerCase()) : tokens;
}

/**
 * Whether the headers ask to upgrade to WebSocket: `Connection` lists `upgrade` and `Upgrade`
 * lists `websocket` (both case-insensitively).
 *
 * @example
 * ```ts
 * asksForWebSocket(request.headers); // true for `Connection: keep-alive, Upgrade` + `Upgrade: websocket`
 * ```
 */
export function asksForWebSocket(headers: HttpHeaders): boolean {
  return (
    headerTokens(headers, 'connection', true).includes('upgrade') &&
    headerTokens(headers, 'upgrade', true).includes('websocket')
  );
}
