/**
 * Spindle's errors: one base class with a stable `code`, and the coded errors the core and the
 * transports raise. `instanceof` compares codes, not class identity, so it still works when two
 * copies of Spindle are installed side by side (as undici's errors do).
 *
 * @example
 * ```ts
 * import { TimeoutError } from 'spindle';
 * try { await connect('tcp:host=127.0.0.1:port=1'); }
 * catch (e) { if (e instanceof TimeoutError) console.log(e.code); } // 'SPINDLE_TIMEOUT'
 * ```
 * @module
 */

const brand = Symbol.for('spindle.error');

/**
 * The base of every Spindle error. Subclasses set a static `code`; instances carry it as `code`.
 *
 * @example
 * ```ts
 * class MyError extends SpindleError { static override readonly code = 'MY_ERROR'; }
 * new MyError('x').code; // 'MY_ERROR'
 * ```
 */
export class SpindleError extends Error {
  /** The stable code of this class of error. */
  static readonly code: string = 'SPINDLE_ERROR';
  /** The stable code of this error, for programs to branch on. */
  readonly code: string;
  readonly [brand] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    const type = new.target as typeof SpindleError;
    this.name = type.name;
    this.code = type.code;
  }

  /** Matches by brand and code, so errors from another copy of Spindle match too. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null || (value as { [brand]?: boolean })[brand] !== true) {
      return false;
    }
    // `this` is the class on the right of `instanceof`: SpindleError or a subclass.
    // biome-ignore lint/complexity/noThisInStatic: must be the subclass, not SpindleError
    const wanted = this.code;
    if (wanted === SpindleError.code) return true;
    for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
      const code = (proto.constructor as { code?: string } | undefined)?.code;
      if (code === wanted) return true;
    }
    return false;
  }
}

/**
 * A Deferred (or a DelayedCall) was fired a second time.
 * @example
 * ```ts
 * const d = succeed(1);
 * try { d.callback(2); } catch (e) { e instanceof AlreadyCalledError; } // true
 * ```
 */
export class AlreadyCalledError extends SpindleError {
  static override readonly code: string = 'SPINDLE_ALREADY_CALLED';
}

/**
 * A DelayedCall was cancelled, reset or delayed after it had been cancelled.
 * @example
 * ```ts
 * const call = clock.callLater(1, f); call.cancel();
 * try { call.cancel(); } catch (e) { e instanceof AlreadyCancelledError; } // true
 * ```
 */
export class AlreadyCancelledError extends SpindleError {
  static override readonly code: string = 'SPINDLE_ALREADY_CANCELLED';
}

/**
 * An operation was cancelled: a Deferred's `cancel()`, an aborted signal, an unsubscribed stream.
 * @example
 * ```ts
 * const d = new Deferred(); d.cancel();
 * d.addErrback(f => f.trap(CancelledError));
 * ```
 */
export class CancelledError extends SpindleError {
  static override readonly code: string = 'SPINDLE_CANCELLED';
  constructor(message = 'cancelled', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * An operation took longer than its allowed time (Twisted's `defer.TimeoutError`).
 * @example
 * ```ts
 * d.addTimeout(5, clock).addErrback(f => f.trap(TimeoutError));
 * ```
 */
export class TimeoutError extends SpindleError {
  static override readonly code: string = 'SPINDLE_TIMEOUT';
  /** The limit that passed, in seconds, when known. */
  readonly seconds: number | undefined;
  constructor(message = 'timed out', options?: ErrorOptions & { seconds?: number }) {
    super(message, options);
    this.seconds = options?.seconds;
  }
}

/**
 * A value that is not an `Error` was thrown or passed to `errback`; the value is kept as `thrown`.
 * @example
 * ```ts
 * fail('oops').addErrback(f => (f.value as NonErrorThrownError).thrown); // 'oops'
 * ```
 */
export class NonErrorThrownError extends SpindleError {
  static override readonly code: string = 'SPINDLE_NON_ERROR_THROWN';
  /** The original thrown value. */
  readonly thrown: unknown;
  constructor(thrown: unknown) {
    super(`non-error thrown: ${describe(thrown)}`);
    this.thrown = thrown;
  }
}

/**
 * The first failure among several Deferreds (`gatherResults`, `DeferredList` with `fireOnOneErrback`).
 * @example
 * ```ts
 * gatherResults([succeed(1), fail(new Error('x'))]).addErrback(f => (f.value as FirstError).index); // 1
 * ```
 */
export class FirstError extends SpindleError {
  static override readonly code: string = 'SPINDLE_FIRST_ERROR';
  /** The failure of the Deferred that failed first. */
  readonly subFailure: { readonly value: Error };
  /** Its position in the list. */
  readonly index: number;
  constructor(subFailure: { readonly value: Error }, index: number) {
    super(`Deferred #${index} failed: ${subFailure.value.message}`, { cause: subFailure.value });
    this.subFailure = subFailure;
    this.index = index;
  }
}

/**
 * Every Deferred given to `race` failed; `failures` holds them in order.
 * @example
 * ```ts
 * race([fail(new Error('a')), fail(new Error('b'))]).addErrback(f => (f.value as FailureGroup).failures.length); // 2
 * ```
 */
export class FailureGroup extends SpindleError {
  static override readonly code: string = 'SPINDLE_FAILURE_GROUP';
  /** The failures, one per Deferred, in the order given. */
  readonly failures: readonly { readonly value: Error }[];
  constructor(failures: readonly { readonly value: Error }[]) {
    super(`all ${failures.length} Deferreds failed`);
    this.failures = failures;
  }
}

/**
 * A `DeferredQueue` or `DeferredSemaphore` was asked to hold more than its limit.
 * @example
 * ```ts
 * const q = new DeferredQueue<number>({ size: 1 }); q.put(1);
 * try { q.put(2); } catch (e) { e instanceof QueueOverflowError; } // true
 * ```
 */
export class QueueOverflowError extends SpindleError {
  static override readonly code: string = 'SPINDLE_QUEUE_OVERFLOW';
}

/**
 * A `DeferredQueue` has more waiting `get()`s than its backlog allows.
 * @example
 * ```ts
 * const q = new DeferredQueue<number>({ backlog: 0 });
 * try { q.get(); } catch (e) { e instanceof QueueUnderflowError; } // true
 * ```
 */
export class QueueUnderflowError extends SpindleError {
  static override readonly code: string = 'SPINDLE_QUEUE_UNDERFLOW';
}

/**
 * A line (or frame) grew past the decoder's `maxLength`; the connection carrying it is dropped.
 * @example
 * ```ts
 * conn.data$.pipe(lines({ maxLength: 1024 })).subscribe({ error: e => e instanceof LineTooLongError });
 * ```
 */
export class LineTooLongError extends SpindleError {
  static override readonly code: string = 'SPINDLE_LINE_TOO_LONG';
  /** The limit that was passed, in bytes. */
  readonly maxLength: number;
  constructor(maxLength: number, message = `line longer than ${maxLength} bytes`) {
    super(message);
    this.maxLength = maxLength;
  }
}

/**
 * The peer sent something the protocol does not allow. `protocolCode` is the protocol's own error
 * code to answer with (an HTTP status, an SMTP reply code, a DNS RCODE), when it has one.
 * @example
 * ```ts
 * throw new ProtocolError('bad netstring length', { protocolCode: 400 });
 * ```
 */
export class ProtocolError extends SpindleError {
  static override readonly code: string = 'SPINDLE_PROTOCOL_ERROR';
  /** The protocol's own error code, when it has one. */
  readonly protocolCode: number | string | undefined;
  constructor(message: string, options?: ErrorOptions & { protocolCode?: number | string }) {
    super(message, options);
    this.protocolCode = options?.protocolCode;
  }
}

/**
 * The connection was closed cleanly (Twisted's `ConnectionDone`).
 * @example
 * ```ts
 * conn.closed.addCallback(reason => reason instanceof ConnectionDone);
 * ```
 */
export class ConnectionDone extends SpindleError {
  static override readonly code: string = 'SPINDLE_CONNECTION_DONE';
  constructor(message = 'connection was closed cleanly', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The connection was lost uncleanly: reset, aborted, or failed (Twisted's `ConnectionLost`).
 * @example
 * ```ts
 * conn.data$.subscribe({ error: e => e instanceof ConnectionLost });
 * ```
 */
export class ConnectionLost extends SpindleError {
  static override readonly code: string = 'SPINDLE_CONNECTION_LOST';
  constructor(message = 'connection was lost', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Nobody was listening where a connection was attempted.
 * @example
 * ```ts
 * connect('tcp:host=127.0.0.1:port=1').addErrback(f => f.trap(ConnectionRefusedError));
 * ```
 */
export class ConnectionRefusedError extends SpindleError {
  static override readonly code: string = 'SPINDLE_CONNECTION_REFUSED';
}

/**
 * A host name could not be resolved.
 * @example
 * ```ts
 * connect('tcp:host=nowhere.invalid:port=80').addErrback(f => f.trap(DNSLookupError));
 * ```
 */
export class DNSLookupError extends SpindleError {
  static override readonly code: string = 'SPINDLE_DNS_LOOKUP';
}

/**
 * The peer's TLS certificate was refused: not trusted, expired, or for another name. `reason` is
 * OpenSSL's verification code, as Node reports it (`DEPTH_ZERO_SELF_SIGNED_CERT`,
 * `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID` …); the Node error is the `cause`.
 *
 * @example
 * ```ts
 * connect('tls:host=localhost:port=8443').addErrback(f => {
 *   f.trap(CertificateError);
 *   console.log((f.value as CertificateError).reason);
 * });
 * ```
 */
export class CertificateError extends SpindleError {
  static override readonly code: string = 'SPINDLE_CERTIFICATE';
  /** OpenSSL's verification code. */
  readonly reason: string;
  constructor(reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * Whether a Node TLS error is a refused certificate (rather than, say, a reset during the
 * handshake), and if so the typed error for it.
 *
 * @example
 * ```ts
 * socket.on('error', (error) => { throw certificateError(error) ?? error; });
 * ```
 */
export function certificateError(error: Error & { code?: string }): CertificateError | undefined {
  const code = error.code;
  if (
    code === undefined ||
    !(/CERT/.test(code) || code.startsWith('UNABLE_TO_') || code === 'HOSTNAME_MISMATCH')
  ) {
    return undefined;
  }
  return new CertificateError(code, `the peer's certificate was refused (${code}): ${error.message}`, {
    cause: error,
  });
}

/**
 * An endpoint description could not be understood; the message names the bad part.
 * @example
 * ```ts
 * try { listen('tcp:notaport'); } catch (e) { e instanceof EndpointSyntaxError; } // true
 * ```
 */
export class EndpointSyntaxError extends SpindleError {
  static override readonly code: string = 'SPINDLE_ENDPOINT_SYNTAX';
}

/**
 * A body (a request's, a response's, a message's) was longer than the limit it was read with;
 * the rest of it is not read. HTTP answers it with 413.
 *
 * @example
 * ```ts
 * request.body.readAll(1024).addErrback((failure) => failure.trap(BodyTooLargeError));
 * ```
 */
export class BodyTooLargeError extends SpindleError {
  static override readonly code: string = 'SPINDLE_BODY_TOO_LARGE';
  /** The limit that was passed, in bytes. */
  readonly maxLength: number;
  constructor(maxLength: number, message = `the body is longer than ${maxLength} bytes`) {
    super(message);
    this.maxLength = maxLength;
  }
}

/**
 * A body was read a second time: a body streams in once, to one reader (one subscription, one
 * `for await`, or one `readAll`).
 *
 * @example
 * ```ts
 * await request.text();
 * request.body.subscribe({ error: (e) => e instanceof BodyConsumedError }); // true
 * ```
 */
export class BodyConsumedError extends SpindleError {
  static override readonly code: string = 'SPINDLE_BODY_CONSUMED';
  constructor(message = 'the body was read already: it can be read once') {
    super(message);
  }
}

/**
 * A server could not listen where it was asked to (Twisted's `CannotListenError`): the address is
 * in use, the port needs privileges, the interface does not resolve or is not on this machine, a
 * Unix socket's folder is missing. `endpoint` is the endpoint as described; the Node error is the
 * `cause`, and its code (`EADDRINUSE`, `EACCES`, `ENOTFOUND` …) is `reason`.
 *
 * @example
 * ```ts
 * listen('tcp:80', echo).address.addErrback((failure) => {
 *   failure.trap(CannotListenError);
 *   console.error(failure.value.message); // cannot listen on tcp:80: permission denied (EACCES)
 * });
 * ```
 */
export class CannotListenError extends SpindleError {
  static override readonly code: string = 'SPINDLE_CANNOT_LISTEN';
  /** The endpoint it tried, as an endpoint description (`tcp:8080:interface=127.0.0.1`). */
  readonly endpoint: string;
  /** Node's code for the cause (`EADDRINUSE`, `EACCES`, `ENOTFOUND` …), when it has one. */
  readonly reason: string | undefined;
  constructor(endpoint: string, problem: string, options?: ErrorOptions & { reason?: string }) {
    super(`cannot listen on ${endpoint}: ${problem}`, options);
    this.endpoint = endpoint;
    this.reason = options?.reason;
  }
}

/**
 * A server was closed before it was listening, or an operation needed it listening.
 *
 * @example
 * ```ts
 * const server = listen('tcp:0', echo);
 * server.close();
 * server.address.addErrback((failure) => failure.trap(ServerClosedError));
 * ```
 */
export class ServerClosedError extends SpindleError {
  static override readonly code: string = 'SPINDLE_SERVER_CLOSED';
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Failures a user can see: TLS handshakes that fail for another reason than the certificate,
// `startTLS` on a connection that is already secure, and files named in endpoint descriptions.
// ---------------------------------------------------------------------------------------------

/**
 * A TLS handshake failed for another reason than the peer's certificate: the peer did not answer
 * in TLS (a plain TCP server, or a STARTTLS server that did not switch), the connection closed
 * during the handshake, or OpenSSL refused what the peer sent. `reason` is Node's or OpenSSL's
 * code (`ERR_SSL_WRONG_VERSION_NUMBER`, `ECONNRESET` …); the Node error is the `cause`. A refused
 * certificate is a `CertificateError` instead.
 *
 * @example
 * ```ts
 * connect('tls:host=127.0.0.1:port=8080').addErrback(f => {
 *   f.trap(TLSHandshakeError);
 *   console.log(f.value.message); // '127.0.0.1:8080 did not answer in TLS (is it a plain TCP server?)'
 * });
 * ```
 */
export class TLSHandshakeError extends SpindleError {
  static override readonly code: string = 'SPINDLE_TLS_HANDSHAKE';
  /** Node's or OpenSSL's code for the failure. */
  readonly reason: string;
  constructor(reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** OpenSSL's codes for a record that is not TLS at all: the peer answered in clear text. */
const notTLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);
/** Codes for a connection closed or reset before the handshake was done. */
const closedDuringHandshake = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_SSL_UNEXPECTED_EOF_WHILE_READING',
]);

/**
 * The typed error for a Node error raised during a client's TLS handshake with `target`
 * (`host:port`), or `undefined` when it is no handshake failure (a refused certificate is
 * `certificateError`'s, so try that first). `upgrade` says the handshake is a `startTLS`, which
 * changes the hint given when the peer answers in clear text.
 *
 * @example
 * ```ts
 * socket.on('error', (error) => {
 *   throw certificateError(error) ?? tlsHandshakeError(error, '127.0.0.1:8443') ?? error;
 * });
 * ```
 */
export function tlsHandshakeError(
  error: Error & { code?: string; reason?: string },
  target: string,
  upgrade = false,
): TLSHandshakeError | undefined {
  const code = error.code;
  if (code === undefined) return undefined;
  let message: string;
  if (notTLS.has(code)) {
    const hint = upgrade ? 'did it agree to start TLS?' : 'is it a plain TCP server?';
    message = `${target} did not answer in TLS (${hint})`;
  } else if (closedDuringHandshake.has(code)) {
    message = `the connection to ${target} closed during the TLS handshake (${code})`;
  } else if (code.startsWith('ERR_SSL_')) {
    const what = typeof error.reason === 'string' && error.reason !== '' ? `: ${error.reason}` : '';
    message = `the TLS handshake with ${target} failed${what} (${code})`;
  } else {
    return undefined;
  }
  return new TLSHandshakeError(code, message, { cause: error });
}

/**
 * `startTLS` was called on a connection that is already encrypted (a `tls:` endpoint, or a
 * connection upgraded once already). TLS inside TLS is not supported.
 *
 * @example
 * ```ts
 * const conn = await connect('tls:host=localhost:port=8443');
 * conn.startTLS({}).addErrback(f => f.trap(AlreadySecureError)); // 'the connection is already using TLS'
 * ```
 */
export class AlreadySecureError extends SpindleError {
  static override readonly code: string = 'SPINDLE_ALREADY_SECURE';
  constructor(message = 'the connection is already using TLS', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * A file named in an endpoint description (`certKey`, `privateKey`, `extraCertChain`, `caCerts`,
 * `certificate` …) could not be read, or does not hold what the parameter needs. `path` is the
 * path as written in the description, `parameter` the parameter that names it; the file system's
 * error, when there is one, is the `cause`.
 *
 * @example
 * ```ts
 * try { listen('ssl:443:privateKey=server.pem'); }
 * catch (e) {
 *   if (e instanceof EndpointFileError) console.log(e.parameter, e.path); // 'privateKey' 'server.pem'
 * }
 * ```
 */
export class EndpointFileError extends SpindleError {
  static override readonly code: string = 'SPINDLE_ENDPOINT_FILE';
  /** The path of the file (or folder), as the description names it. */
  readonly path: string;
  /** The description's parameter that names the file. */
  readonly parameter: string;
  constructor(message: string, options: ErrorOptions & { path: string; parameter: string }) {
    super(message, options);
    this.path = options.path;
    this.parameter = options.parameter;
  }
}
