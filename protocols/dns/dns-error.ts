/**
 * The errors of DNS: a message that cannot be read (`FormatError`), a name that cannot be
 * written (`InvalidNameError`), a name that does not exist (`DomainError`, NXDOMAIN), and a
 * server's refusal or failure (`ServerError`, carrying the RCODE). A lookup that gets no answer
 * in time errbacks with the core's `TimeoutError`.
 *
 * @module
 */
import { ProtocolError, SpindleError } from '../../source/errors.js';
import { rcodeName } from './record-types.js';

/**
 * Bytes that are not a well-formed DNS message: a pointer loop or a forward pointer, a label
 * over 63 octets or a name over 255, counts that overrun the message, a truncated message.
 * `id` is the message's id when its header could be read (a server answers FORMERR to it).
 *
 * @example
 * ```ts
 * try { decodeMessage(bytes); } catch (e) { if (e instanceof FormatError) console.log(e.id, e.message); }
 * ```
 */
export class FormatError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_DNS_FORMAT';
  /** The message's id, when its 12-byte header could be read. */
  readonly id: number | undefined;

  constructor(message: string, id?: number) {
    super(message, { protocolCode: 'FORMERR' });
    this.id = id;
  }
}

/**
 * A name that cannot be written on the wire: an empty label, a label over 63 octets, a name
 * over 255, or a bad escape.
 *
 * @example
 * ```ts
 * try { nameLabels('a..b'); } catch (e) { e instanceof InvalidNameError; } // true
 * ```
 */
export class InvalidNameError extends SpindleError {
  static override readonly code: string = 'SPINDLE_DNS_INVALID_NAME';
}

/**
 * The name does not exist (NXDOMAIN), Twisted's `DomainError`.
 *
 * @example
 * ```ts
 * resolver.lookupAddress('nope.example').addErrback((f) => f.trap(DomainError));
 * ```
 */
export class DomainError extends SpindleError {
  static override readonly code: string = 'SPINDLE_DNS_DOMAIN';
  /** The name asked for. */
  readonly domain: string;

  constructor(domain: string) {
    super(`${domain || '.'}: no such domain (NXDOMAIN)`);
    this.domain = domain;
  }
}

/**
 * A server answered with an error RCODE other than NXDOMAIN (SERVFAIL, REFUSED, FORMERR,
 * NOTIMP …); `rcode` says which.
 *
 * @example
 * ```ts
 * resolver.query(question).addErrback((f) => console.log(f.trap(ServerError).rcode));
 * ```
 */
export class ServerError extends SpindleError {
  static override readonly code: string = 'SPINDLE_DNS_SERVER';
  /** The response code the server sent. */
  readonly rcode: number;
  /** The name asked for. */
  readonly domain: string;

  constructor(domain: string, rcode: number) {
    super(`${domain || '.'}: server answered ${rcodeName(rcode)}`);
    this.domain = domain;
    this.rcode = rcode;
  }
}
