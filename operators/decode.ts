/**
 * `decode`: turns any sans-I/O `Decoder` into an rxjs operator from bytes to its frames.
 *
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Decoder } from './decoder.js';

/**
 * Feeds each chunk to a decoder made by `create` and emits the frames it completes, in order. The
 * framing operators are this over their decoders (`lines()` is `decode(() => new LineDecoder())`),
 * and any other decoder of the same shape fits, such as the HTTP parsers.
 *
 * `create` is called once per subscription, so each subscriber has a decoder of its own. A
 * decoder error is emitted after the frames that came before it, and the upstream is then
 * unsubscribed (a protocol drops the connection), and the decoder is not used again. When the
 * upstream completes, the frames of the decoder's `end()` follow, then completion, or the error
 * `end()` throws. An upstream error is
 * passed on as it is; unsubscribing unsubscribes the upstream.
 *
 * A decoder that must be told things as the stream goes (`ResponseParser`'s `expect(method)`, for
 * each request sent) is reached through the reference `create` returns: keep it, and subscribe
 * once. Frames that are views of a chunk (HTTP body events) are valid while they are emitted.
 *
 * ```text
 * data$:                             -[GET / HTTP/1.1\r\nHo]-[st: a\r\n\r\nBAD\r\n]-
 * decode(() => new RequestParser()): ------------------------(head end #)      (# = HttpParseError)
 * ```
 *
 * @throws whatever the decoder throws, as an error notification after the frames before it.
 * @see Decoder, the shape `create` returns.
 * @see lines, netstrings, lengthPrefixed, delimited and decodeUtf8, which are built on it.
 * @example
 * ```ts
 * import { decode } from 'spindle/operators';
 * import { RequestParser, ResponseParser } from 'spindle/protocols/http';
 *
 * conn.data$.pipe(decode(() => new RequestParser())).subscribe((event) => console.log(event.type));
 *
 * const parser = new ResponseParser();
 * client.data$.pipe(decode(() => parser)).subscribe(onResponseEvent); // one subscription: one parser
 * parser.expect('GET');
 * client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
 * ```
 */
export function decode<F>(create: () => Decoder<F>): OperatorFunction<Uint8Array, F> {
  return (source) =>
    new Observable<F>((subscriber) => {
      const decoder = create();
      return source.subscribe({
        next(chunk) {
          if (subscriber.closed) return;
          const frames: F[] = [];
          let failure: { error: unknown } | undefined;
          try {
            decoder.push(chunk, frames);
          } catch (error) {
            failure = { error };
          }
          for (const frame of frames) subscriber.next(frame);
          if (failure !== undefined) subscriber.error(failure.error);
        },
        error(error) {
          subscriber.error(error);
        },
        complete() {
          if (subscriber.closed) return;
          const frames: F[] = [];
          let failure: { error: unknown } | undefined;
          try {
            decoder.end(frames);
          } catch (error) {
            failure = { error };
          }
          for (const frame of frames) subscriber.next(frame);
          if (failure !== undefined) subscriber.error(failure.error);
          else subscriber.complete();
        },
      });
    });
}
