/**
 * Test helpers for the HTTP codec: `feedEvents` runs a parser over chunks (copying body bytes
 * as they come, then scribbling on each chunk, so a parser that kept a view of a chunk it was
 * given fails), and `messages` folds the events into one comparable record per message.
 *
 * @module
 */
import { HttpHeaders } from '../../../protocols/http/headers.js';
import type { ParseEvent } from '../../../protocols/http/message.js';
import { chunkings } from '../../support/chunkings.js';

/** The parser shape the helpers drive (RequestParser and ResponseParser). */
export interface EventParser<H> {
  push(chunk: Uint8Array, events?: ParseEvent<H>[]): ParseEvent<H>[];
  end(events?: ParseEvent<H>[]): ParseEvent<H>[];
}

/** What `feedEvents` gives back: the events (body bytes copied), then the error, if any. */
export interface FedEvents<H> {
  readonly events: ParseEvent<H>[];
  readonly error: unknown;
}

/**
 * Pushes each chunk and ends (unless `end` is false), copying body data after each push and
 * overwriting each chunk once pushed.
 *
 * @example
 * ```ts
 * const { events, error } = feedEvents(new RequestParser(), [bytes('GET / HTTP/1.1\r\n')]);
 * ```
 */
export function feedEvents<H>(
  parser: EventParser<H>,
  chunks: readonly Uint8Array[],
  end = true,
): FedEvents<H> {
  const events: ParseEvent<H>[] = [];
  let owned = 0;
  const own = (): void => {
    for (; owned < events.length; owned++) {
      const event = events[owned]!;
      if (event.type === 'body') events[owned] = { type: 'body', data: Uint8Array.from(event.data) };
    }
  };
  try {
    for (const chunk of chunks) {
      parser.push(chunk, events);
      own();
      chunk.fill(0xee);
    }
    if (end) parser.end(events);
    own();
  } catch (error) {
    own();
    return { events, error };
  }
  return { events, error: undefined };
}

/** One message as the events told it: head fields made plain, body bytes joined as latin1. */
export interface Message {
  head: Record<string, unknown>;
  body: string;
  ended: boolean;
  trailers?: [string, string][];
}

/**
 * Folds events into messages; a message without body events has body `''`. Headers become their
 * `raw()` pairs.
 *
 * @example
 * ```ts
 * messages(events); // [{ head: { method: 'GET', … }, body: '', ended: true }]
 * ```
 */
export function messages<H>(events: readonly ParseEvent<H>[]): Message[] {
  const out: Message[] = [];
  for (const event of events) {
    if (event.type === 'head') {
      const { type: _type, head, ...rest } = event;
      const plain: Record<string, unknown> = { ...rest };
      for (const [key, value] of Object.entries(head as object)) {
        plain[key] = value instanceof HttpHeaders ? value.raw() : value;
      }
      out.push({ head: plain, body: '', ended: false });
    } else if (event.type === 'body') {
      out[out.length - 1]!.body += Buffer.from(event.data).toString('latin1');
    } else {
      const message = out[out.length - 1]!;
      message.ended = true;
      if (event.trailers !== undefined) message.trailers = event.trailers.raw();
    }
  }
  return out;
}

/** Latin1 bytes of `text`. */
export const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/**
 * Runs `check` on the result of feeding `input` to a fresh parser at every chunking.
 *
 * @example
 * ```ts
 * atEverySplit(request, () => new RequestParser(), ({ events, error }, label) => assert.is(error, undefined, label));
 * ```
 */
export function atEverySplit<H>(
  input: string | Uint8Array,
  make: () => EventParser<H>,
  check: (fed: FedEvents<H>, label: string) => void,
  end = true,
): void {
  for (const { label, chunks } of chunkings(typeof input === 'string' ? bytes(input) : input)) {
    check(feedEvents(make(), chunks, end), label);
  }
}
