/**
 * `targetProblem`: whether a request target has the form its method needs (RFC 9112 §3.2), for
 * the parser (which refuses such a request with 400) and the writer (which refuses to write it).
 *
 * @module
 */
import { allIn, HOST } from './_chars.js';

/**
 * What is wrong with `target` for `method`, or undefined when nothing is: origin-form (`/…`) for
 * most methods; `*` for OPTIONS only; authority-form (`host:port`) for CONNECT only; otherwise an
 * absolute URI, `scheme:…`. The characters themselves (visible ASCII) are checked elsewhere.
 *
 * @example
 * ```ts
 * targetProblem('GET', '/a?b');  // undefined
 * targetProblem('GET', '*');     // 'the * target is for OPTIONS, not GET'
 * ```
 */
export function targetProblem(method: string, target: string): string | undefined {
  if (method === 'CONNECT') {
    const colon = target.lastIndexOf(':');
    if (colon > 0 && colon < target.length - 1 && allIn(target, HOST) && isDigits(target, colon + 1)) {
      return undefined;
    }
    return `CONNECT needs a host:port target, not ${JSON.stringify(target)}`;
  }
  if (target.charCodeAt(0) === 0x2f) return undefined;
  if (target === '*') return method === 'OPTIONS' ? undefined : `the * target is for OPTIONS, not ${method}`;
  let i = 0;
  for (; i < target.length; i++) {
    const code = target.charCodeAt(i) | 0x20;
    const letter = code >= 0x61 && code <= 0x7a;
    if (!letter && (i === 0 || !isSchemeCharacter(target.charCodeAt(i)))) break;
  }
  if (i === 0 || target.charCodeAt(i) !== 0x3a) return `invalid request target ${JSON.stringify(target)}`;
  return undefined;
}

function isSchemeCharacter(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2d || code === 0x2e;
}

function isDigits(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}
