/**
 * `adoptFields`: the key of `HttpHeaders`' unvalidated constructor, which the parsers use for
 * fields they have already checked byte by byte. Private to protocols/http: not re-exported.
 *
 * @module
 */

/**
 * Keys `HttpHeaders[adoptFields](fields)`, which takes a flat `[name, value, …]` array as its own.
 *
 * @example
 * ```ts
 * const headers = HttpHeaders[adoptFields](['Host', 'example.com']);
 * ```
 */
export const adoptFields: unique symbol = Symbol('spindle.http.adoptFields');
