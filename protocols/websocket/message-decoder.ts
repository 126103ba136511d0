/**
 * `MessageDecoder`: the sans-I/O reader of a WebSocket connection's bytes, as messages and
 * control events: frames reassembled, text validated as UTF-8 as it comes, compressed messages
 * inflated, every size bounded.
 *
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { Utf8Decoder } from '../../operators/decode-utf8.js';
import type { Decoder } from '../../operators/decoder.js';
import { asBuffer } from '../../source/_as-buffer.js';
import { parseClosePayload } from './close-code.js';
import { Opcode, type WebSocketFrame } from './frame.js';
import { FrameDecoder, type WebSocketRole } from './frame-decoder.js';
import type { MessageInflater } from './per-message-deflate.js';
import { WebSocketError } from './websocket-error.js';

/**
 * A message: text as a string, binary as bytes (its own copy).
 *
 * @example
 * ```ts
 * const message: WebSocketMessage = 'hello';
 * ```
 */
export type WebSocketMessage = string | Uint8Array;

/**
 * What a WebSocket connection's bytes say: a whole message, a ping (to answer with a pong of
 * the same data), a pong, or the peer's close (code 1005 when its frame had none).
 *
 * @example
 * ```ts
 * for (const event of decoder.push(chunk)) if (event.type === 'message') console.log(event.data);
 * ```
 */
export type WebSocketEvent =
  | { readonly type: 'message'; readonly data: WebSocketMessage }
  | { readonly type: 'ping'; readonly data: Uint8Array }
  | { readonly type: 'pong'; readonly data: Uint8Array }
  | { readonly type: 'close'; readonly code: number; readonly reason: string };

/**
 * Options of `MessageDecoder`.
 *
 * @example
 * ```ts
 * new MessageDecoder({ role: 'server', maxMessageBytes: 1024 * 1024 });
 * ```
 */
export interface MessageDecoderOptions {
  /** Which end reads: a server requires masked frames, a client refuses them. */
  readonly role: WebSocketRole;
  /** The largest message, all its frames together (and, compressed, once inflated). Default 16 MiB. */
  readonly maxMessageBytes?: number;
  /** The largest frame payload. Default `maxMessageBytes`. */
  readonly maxFrameBytes?: number;
  /** The inflater of the permessage-deflate that was negotiated, if any: RSV1 is refused without one. */
  readonly inflater?: MessageInflater;
}

type Assembly = 'idle' | 'text' | 'binary' | 'closed';

/** Turns a UTF-8 failure into the close code 1007. */
function invalidText(error: unknown): WebSocketError {
  return new WebSocketError(1007, 'a text message that is not UTF-8', { cause: error });
}

/**
 * Reads messages: data frames are put together (a continuation with no message to continue, or
 * a new message before the last one ended, is a 1002), the text of each fragment is checked as
 * UTF-8 as soon as it comes (1007 at the first bad byte, or at the end of a message that stops
 * inside a character), a message over `maxMessageBytes` fails as soon as its frames say so
 * (1009), and compressed messages are inflated within that limit. Control frames come as events
 * between the fragments of a message; a close frame's code and reason are checked (see
 * `parseClosePayload`), and nothing after it is read. Every refusal is a `WebSocketError`
 * carrying the close code to answer with.
 *
 * ```text
 * frames: [text 'Hel' fin=0][ping 'x'][cont 'lo' fin=1][close 1000]
 * events: ping 'x', message 'Hello', close 1000
 * ```
 *
 * @example
 * ```ts
 * const decoder = new MessageDecoder({ role: 'client' });
 * for (const event of decoder.push(chunk)) {
 *   if (event.type === 'message') console.log(event.data);
 * }
 * ```
 */
export class MessageDecoder implements Decoder<WebSocketEvent> {
  private readonly _frames: FrameDecoder;
  private readonly _maxMessageBytes: number;
  private readonly _inflater: MessageInflater | undefined;
  private readonly _scratch: WebSocketFrame[] = [];
  private _assembly: Assembly = 'idle';
  private _compressed = false;
  private _parts: Uint8Array[] = [];
  private _bytes = 0;
  private _texts: string[] = [];
  private _utf8: Utf8Decoder | undefined = undefined;

  constructor(options: MessageDecoderOptions) {
    this._maxMessageBytes = options.maxMessageBytes ?? 16 * 1024 * 1024;
    this._inflater = options.inflater;
    this._frames = new FrameDecoder({
      role: options.role,
      maxFrameBytes: options.maxFrameBytes ?? this._maxMessageBytes,
      compression: options.inflater !== undefined,
    });
  }

  /** Whether a close frame has been read (what follows it is ignored). */
  get closed(): boolean {
    return this._assembly === 'closed';
  }

  /**
   * Decodes `chunk`, appending the events it completes.
   *
   * @throws WebSocketError at the first frame that breaks a rule, after the events before it.
   */
  push(chunk: Uint8Array, events: WebSocketEvent[] = []): WebSocketEvent[] {
    if (this._assembly === 'closed') return events;
    const frames = this._scratch;
    let failure: unknown;
    try {
      this._frames.push(chunk, frames);
    } catch (error) {
      failure = error; // the frames before the bad one count first
    }
    try {
      for (let i = 0; i < frames.length && !this.closed; i++) this._frame(frames[i]!, events);
    } finally {
      frames.length = 0;
    }
    if (failure !== undefined && !this.closed) throw failure;
    return events;
  }

  /**
   * The input is over.
   *
   * @throws WebSocketError 1006 when it ends inside a frame or a message (before a close frame).
   */
  end(events: WebSocketEvent[] = []): WebSocketEvent[] {
    if (this._assembly === 'closed') return events;
    this._frames.end();
    if (this._assembly !== 'idle') throw new WebSocketError(1006, 'the connection ended inside a message');
    return events;
  }

  private _frame(frame: WebSocketFrame, events: WebSocketEvent[]): void {
    const { opcode, payload } = frame;
    switch (opcode) {
      case Opcode.ping:
        events.push({ type: 'ping', data: Uint8Array.prototype.slice.call(payload) });
        return;
      case Opcode.pong:
        events.push({ type: 'pong', data: Uint8Array.prototype.slice.call(payload) });
        return;
      case Opcode.close: {
        const { code, reason } = parseClosePayload(payload);
        this._assembly = 'closed';
        events.push({ type: 'close', code, reason });
        return;
      }
      case Opcode.continuation:
        if (this._assembly === 'idle')
          throw new WebSocketError(1002, 'a continuation frame with no message to continue');
        break;
      default:
        if (this._assembly !== 'idle') {
          throw new WebSocketError(1002, 'a new message began before the previous one ended');
        }
        if (frame.fin && !frame.rsv1) {
          this._whole(opcode, payload, events);
          return;
        }
        this._assembly = opcode === Opcode.text ? 'text' : 'binary';
        this._compressed = frame.rsv1;
        this._bytes = 0;
    }
    this._fragment(payload);
    if (frame.fin) this._complete(events);
  }

  /** A message in one uncompressed frame: the common case, without the reassembly. */
  private _whole(opcode: Opcode, payload: Uint8Array, events: WebSocketEvent[]): void {
    if (payload.length > this._maxMessageBytes) this._tooLarge();
    if (opcode === Opcode.binary) {
      events.push({ type: 'message', data: Uint8Array.prototype.slice.call(payload) });
      return;
    }
    if (!isUtf8(payload)) throw invalidText(undefined);
    events.push({ type: 'message', data: asBuffer(payload).toString('utf8') });
  }

  private _fragment(payload: Uint8Array): void {
    this._bytes += payload.length;
    if (this._bytes > this._maxMessageBytes) this._tooLarge();
    if (this._assembly === 'text' && !this._compressed) {
      this._utf8 ??= new Utf8Decoder({ fatal: true });
      try {
        this._utf8.push(payload, this._texts);
      } catch (error) {
        throw invalidText(error);
      }
      return;
    }
    if (payload.length > 0) this._parts.push(Uint8Array.prototype.slice.call(payload));
  }

  private _complete(events: WebSocketEvent[]): void {
    const text = this._assembly === 'text';
    let data: WebSocketMessage;
    if (this._compressed) {
      const bytes = this._inflater!.inflate(this._parts, this._maxMessageBytes);
      if (text && !isUtf8(bytes)) throw invalidText(undefined);
      data = text ? bytes.toString('utf8') : bytes;
    } else if (text) {
      try {
        this._utf8!.end(this._texts);
      } catch (error) {
        throw invalidText(error);
      }
      data = this._texts.join('');
      this._texts = [];
    } else {
      data = this._parts.length === 1 ? this._parts[0]! : Buffer.concat(this._parts, this._bytes);
    }
    this._parts = [];
    this._assembly = 'idle';
    events.push({ type: 'message', data });
  }

  private _tooLarge(): never {
    throw new WebSocketError(1009, `a message over the limit of ${this._maxMessageBytes} bytes`);
  }
}
