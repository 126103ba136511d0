/**
 * permessage-deflate (RFC 7692): negotiating it in the handshake (`Sec-WebSocket-Extensions`),
 * and compressing and decompressing messages with node:zlib.
 *
 * @module
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { WebSocketError, WebSocketHandshakeError } from './websocket-error.js';

/**
 * What one side asks for or allows of permessage-deflate.
 *
 * @example
 * ```ts
 * webSocketHandler(onConnect, { perMessageDeflate: { serverNoContextTakeover: true, threshold: 256 } });
 * ```
 */
export interface PerMessageDeflateOptions {
  /** The server compresses each message on its own (less memory, worse ratio). Default false. */
  readonly serverNoContextTakeover?: boolean;
  /** The client compresses each message on its own. Default false. */
  readonly clientNoContextTakeover?: boolean;
  /** The largest LZ77 window the server compresses with, 9 to 15. Default 15. */
  readonly serverMaxWindowBits?: number;
  /** The largest LZ77 window the client compresses with, 9 to 15. Default 15. */
  readonly clientMaxWindowBits?: number;
  /** Messages shorter than this many bytes go out uncompressed. Default 1024. */
  readonly threshold?: number;
}

/**
 * What was agreed: how each side compresses. A side without context takeover starts every
 * message with an empty window.
 *
 * @example
 * ```ts
 * const agreed: DeflateParameters = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
 * ```
 */
export interface DeflateParameters {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number;
  readonly clientMaxWindowBits: number;
}

/** One extension of a `Sec-WebSocket-Extensions` list: its name and parameters (a value, or `true` for none). */
interface ExtensionOffer {
  readonly name: string;
  readonly params: Map<string, string | true>;
}

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses a `Sec-WebSocket-Extensions` value (RFC 6455 section 9.1): a comma-separated list of
 * names with `; param` or `; param=value` (a token or a quoted string).
 *
 * @throws WebSocketHandshakeError for a value that does not follow the grammar or repeats a parameter.
 */
function parseExtensions(value: string): ExtensionOffer[] {
  const offers: ExtensionOffer[] = [];
  const parts: string[][] = [[]];
  let current = '';
  let quoted = false;
  for (const char of value) {
    if (quoted) {
      if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') quoted = true;
    else if (char === ';' || char === ',') {
      parts[parts.length - 1]!.push(current.trim());
      current = '';
      if (char === ',') parts.push([]);
    } else current += char;
  }
  if (quoted) throw new WebSocketHandshakeError('an unterminated quoted string in Sec-WebSocket-Extensions');
  parts[parts.length - 1]!.push(current.trim());
  for (const [name, ...params] of parts) {
    if (name === undefined || !tokenPattern.test(name)) {
      throw new WebSocketHandshakeError(
        `a malformed Sec-WebSocket-Extensions value: ${JSON.stringify(value)}`,
      );
    }
    const map = new Map<string, string | true>();
    for (const param of params) {
      const at = param.indexOf('=');
      const key = (at < 0 ? param : param.slice(0, at)).trim().toLowerCase();
      const val = at < 0 ? true : param.slice(at + 1).trim();
      if (!tokenPattern.test(key) || (val !== true && !tokenPattern.test(val)) || map.has(key)) {
        throw new WebSocketHandshakeError(`a malformed extension parameter ${JSON.stringify(param)}`);
      }
      map.set(key, val);
    }
    offers.push({ name: name.toLowerCase(), params: map });
  }
  return offers;
}

/** A window size parameter's value, 8 to 15, or undefined when absent; NaN when invalid. */
function windowBits(value: string | true | undefined, valueless: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (value === true) return valueless ? 15 : Number.NaN;
  return /^(8|9|1[0-5])$/.test(value) ? Number(value) : Number.NaN;
}

const known = new Set([
  'server_no_context_takeover',
  'client_no_context_takeover',
  'server_max_window_bits',
  'client_max_window_bits',
]);

function checkBits(name: string, value: number | undefined): number {
  const bits = value ?? 15;
  if (!(Number.isInteger(bits) && bits >= 9 && bits <= 15))
    throw new RangeError(`${name} must be 9 to 15, not ${bits}`);
  return bits;
}

/**
 * The server's side of the negotiation: takes the first permessage-deflate offer of the
 * client's `Sec-WebSocket-Extensions` that it can honour, and returns what was agreed and the
 * header value that says so; undefined when there is no acceptable offer (or no header). An
 * offer is declined when its parameters are unknown, repeated or out of range, or when it
 * limits the server's window to 8 bits (which zlib's raw deflate cannot do).
 *
 * ```text
 * 'permessage-deflate; client_max_window_bits' → 'permessage-deflate' (both sides: 15 bits, context kept)
 * ```
 *
 * @throws WebSocketHandshakeError for a header that does not follow the grammar (answered 400).
 * @example
 * ```ts
 * const agreed = acceptDeflate(request.headers.get('sec-websocket-extensions'), {});
 * if (agreed !== undefined) headers['Sec-WebSocket-Extensions'] = agreed.response;
 * ```
 */
export function acceptDeflate(
  header: string | undefined,
  options: PerMessageDeflateOptions,
): { readonly parameters: DeflateParameters; readonly response: string } | undefined {
  if (header === undefined) return undefined;
  const ownServerBits = checkBits('serverMaxWindowBits', options.serverMaxWindowBits);
  const ownClientBits = checkBits('clientMaxWindowBits', options.clientMaxWindowBits);
  for (const { name, params } of parseExtensions(header)) {
    if (name !== 'permessage-deflate') continue;
    if ([...params.keys()].some((key) => !known.has(key))) continue;
    const serverNoContext = params.get('server_no_context_takeover');
    const clientNoContext = params.get('client_no_context_takeover');
    if (serverNoContext === undefined ? false : serverNoContext !== true) continue;
    if (clientNoContext === undefined ? false : clientNoContext !== true) continue;
    const serverBits = windowBits(params.get('server_max_window_bits'), false);
    const clientBits = windowBits(params.get('client_max_window_bits'), true);
    if (Number.isNaN(serverBits) || Number.isNaN(clientBits) || serverBits === 8) continue;
    const parameters: DeflateParameters = {
      serverNoContextTakeover: serverNoContext === true || options.serverNoContextTakeover === true,
      clientNoContextTakeover: clientNoContext === true || options.clientNoContextTakeover === true,
      serverMaxWindowBits: Math.min(serverBits ?? 15, ownServerBits),
      // the client's window may be limited only if it said it can be
      clientMaxWindowBits: clientBits === undefined ? 15 : Math.max(9, Math.min(clientBits, ownClientBits)),
    };
    let response = 'permessage-deflate';
    if (parameters.serverNoContextTakeover) response += '; server_no_context_takeover';
    if (parameters.clientNoContextTakeover) response += '; client_no_context_takeover';
    if (parameters.serverMaxWindowBits < 15 || serverBits !== undefined) {
      response += `; server_max_window_bits=${parameters.serverMaxWindowBits}`;
    }
    if (clientBits !== undefined && parameters.clientMaxWindowBits < 15) {
      response += `; client_max_window_bits=${parameters.clientMaxWindowBits}`;
    }
    return { parameters, response };
  }
  return undefined;
}

/**
 * The client's offer: `permessage-deflate` with `client_max_window_bits` (it can honour a
 * limit) and the parameters `options` asks for.
 *
 * @example
 * ```ts
 * offerDeflate({}); // 'permessage-deflate; client_max_window_bits'
 * ```
 */
export function offerDeflate(options: PerMessageDeflateOptions): string {
  let offer = 'permessage-deflate';
  if (options.serverNoContextTakeover === true) offer += '; server_no_context_takeover';
  if (options.clientNoContextTakeover === true) offer += '; client_no_context_takeover';
  const serverBits = checkBits('serverMaxWindowBits', options.serverMaxWindowBits);
  if (serverBits < 15) offer += `; server_max_window_bits=${serverBits}`;
  const clientBits = checkBits('clientMaxWindowBits', options.clientMaxWindowBits);
  offer += clientBits < 15 ? `; client_max_window_bits=${clientBits}` : '; client_max_window_bits';
  return offer;
}

/**
 * The client's side of the negotiation: reads the server's `Sec-WebSocket-Extensions` answer to
 * `offerDeflate(options)`: undefined when the server declined (no header).
 *
 * @throws WebSocketHandshakeError when the answer names another extension, more than one, or
 * parameters the offer did not allow.
 * @example
 * ```ts
 * const agreed = confirmDeflate(response.headers.get('sec-websocket-extensions'), {});
 * ```
 */
export function confirmDeflate(
  header: string | undefined,
  options: PerMessageDeflateOptions,
): DeflateParameters | undefined {
  if (header === undefined) return undefined;
  const answers = parseExtensions(header);
  const answer = answers[0];
  if (answers.length !== 1 || answer?.name !== 'permessage-deflate') {
    throw new WebSocketHandshakeError(`the server answered extensions that were not offered: ${header}`);
  }
  const params = answer.params;
  const refuse = (what: string) =>
    new WebSocketHandshakeError(`the server's permessage-deflate answer ${what}`);
  for (const key of params.keys()) if (!known.has(key)) throw refuse(`has an unknown parameter ${key}`);
  const serverNoContext = params.get('server_no_context_takeover');
  const clientNoContext = params.get('client_no_context_takeover');
  if (serverNoContext !== undefined && serverNoContext !== true)
    throw refuse('gives server_no_context_takeover a value');
  if (clientNoContext !== undefined && clientNoContext !== true)
    throw refuse('gives client_no_context_takeover a value');
  if (options.serverNoContextTakeover === true && serverNoContext === undefined) {
    throw refuse('does not grant server_no_context_takeover');
  }
  const serverBits = windowBits(params.get('server_max_window_bits'), false);
  const clientBits = windowBits(params.get('client_max_window_bits'), false);
  if (Number.isNaN(serverBits) || Number.isNaN(clientBits)) throw refuse('has a window size out of range');
  const offeredServerBits = checkBits('serverMaxWindowBits', options.serverMaxWindowBits);
  if (serverBits !== undefined && serverBits > offeredServerBits)
    throw refuse('has a larger server window than asked');
  if (clientBits === 8) throw refuse('limits the client window to 8 bits');
  const ownClientBits = checkBits('clientMaxWindowBits', options.clientMaxWindowBits);
  return {
    serverNoContextTakeover: serverNoContext === true,
    clientNoContextTakeover: clientNoContext === true || options.clientNoContextTakeover === true,
    serverMaxWindowBits: serverBits ?? offeredServerBits,
    clientMaxWindowBits: Math.min(clientBits ?? 15, ownClientBits),
  };
}

const tail = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const syncFlush = { finishFlush: constants.Z_SYNC_FLUSH } as const;

/** The last `size` bytes of `window` followed by `data`, copied. */
function slide(window: Uint8Array | undefined, data: Uint8Array, size: number): Buffer {
  if (data.length >= size || window === undefined)
    return Buffer.from(data.subarray(Math.max(0, data.length - size)));
  const keep = Math.min(window.length, size - data.length);
  return Buffer.concat([window.subarray(window.length - keep), data]);
}

/**
 * Compresses messages for one direction, RFC 7692 style: raw deflate ending in a sync flush, its
 * `00 00 ff ff` tail removed. With context takeover the window is the messages sent before (the
 * last 2^windowBits bytes, given to zlib as a preset dictionary).
 *
 * @example
 * ```ts
 * const deflater = new MessageDeflater(15, false);
 * connection.write(encodeFrame(Opcode.text, deflater.compress(Buffer.from(text)), { rsv1: true }));
 * ```
 */
export class MessageDeflater {
  private _window: Buffer | undefined = undefined;

  constructor(
    private readonly _windowBits: number,
    private readonly _noContextTakeover: boolean,
  ) {}

  /** The compressed payload of a message. */
  compress(data: Uint8Array): Uint8Array {
    const window = this._window;
    const out = deflateRawSync(data, {
      ...syncFlush,
      windowBits: this._windowBits,
      ...(window === undefined ? {} : { dictionary: window }),
    });
    if (!this._noContextTakeover) this._window = slide(window, data, 1 << this._windowBits);
    return out.subarray(0, out.length - 4);
  }
}

/**
 * Decompresses messages for one direction: the reverse of `MessageDeflater`, with a limit on
 * the output (a small message must not inflate into gigabytes).
 *
 * @example
 * ```ts
 * const inflater = new MessageInflater(false);
 * const data = inflater.inflate([payload], 16 * 1024 * 1024);
 * ```
 */
export class MessageInflater {
  private _window: Buffer | undefined = undefined;

  constructor(private readonly _noContextTakeover: boolean) {}

  /**
   * The message whose compressed payload came in `parts`.
   *
   * @throws WebSocketError 1009 past `limit` bytes of output, 1007 for data that is not deflate.
   */
  inflate(parts: readonly Uint8Array[], limit: number): Buffer {
    const window = this._window;
    let out: Buffer;
    try {
      out = inflateRawSync(Buffer.concat([...parts, tail]), {
        ...syncFlush,
        maxOutputLength: Math.max(1, limit),
        ...(window === undefined ? {} : { dictionary: window }),
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new WebSocketError(1009, `a compressed message inflates past the limit of ${limit} bytes`, {
          cause: error,
        });
      }
      throw new WebSocketError(
        1007,
        `a compressed message is not valid deflate data: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (out.length > limit)
      throw new WebSocketError(1009, `a compressed message inflates past the limit of ${limit} bytes`);
    if (!this._noContextTakeover) this._window = slide(window, out, 1 << 15);
    return out;
  }
}
