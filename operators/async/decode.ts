/**
 * `decode`, ix flavour: turns any sans-I/O `Decoder` into an operator from an async iterable of
 * bytes to its frames.
 *
 * @module
 */
import type { Decoder } from '../decoder.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';

/**
 * Feeds each chunk of the source to a decoder made by `create` and yields the frames it
 * completes, in order: the pull twin of the rxjs `decode`. The framing operators are this over
 * their decoders (`lines()` is `decode(() => new LineDecoder())`), and any other decoder of the
 * same shape fits, such as the HTTP parsers.
 *
 * `create` is called once per iteration, when the first value is asked for, so each `for await`
 * has a decoder of its own. A decoder error is thrown after the frames that came before it. When
 * the source is done, the frames of the decoder's `end()` follow, or the error it throws. The
 * source is released (its iterator's `return()`) whenever iteration stops early: the consumer's
 * `break`, a decoder error, an abort; a source that threw is not. Frames that are views of a
 * chunk (HTTP body events) are valid until the next value is asked for.
 *
 * A decoder that must be told things as the stream goes (`ResponseParser`'s `expect(method)`, for
 * each request sent) is reached through the reference `create` returns: keep it, and iterate once.
 *
 * ```text
 * source:                             -[GET / HTTP/1.1\r\nHo]-[st: a\r\n\r\nBAD\r\n]-
 * decode(() => new RequestParser()):  ------------------------(head end #)      (# = HttpParseError)
 * ```
 *
 * @throws whatever the decoder throws, after the frames before it; the signal's reason, once
 * aborted (checked when iteration starts and at each chunk).
 * @see Decoder, the shape `create` returns.
 * @see lines, netstrings, lengthPrefixed, delimited and decodeUtf8, which are built on it.
 * @example
 * ```ts
 * import { decode } from 'spindle/operators/async';
 * import { RequestParser } from 'spindle/protocols/http';
 *
 * for await (const event of decode(() => new RequestParser())(conn)) {
 *   if (event.type === 'head') console.log(event.head.method, event.head.target);
 * }
 * ```
 */
export function decode<F>(create: () => Decoder<F>, options?: WithSignal): AsyncOperator<Uint8Array, F> {
  const signal = options?.signal;
  return (source) => ({ [Symbol.asyncIterator]: () => decodeAll(source, create, signal) });
}

/** One iteration of `decode`: a native async generator, so `for await` releases the source. */
async function* decodeAll<F>(
  source: AsyncIterable<Uint8Array>,
  create: () => Decoder<F>,
  signal: AbortSignal | undefined,
): AsyncGenerator<F, void, undefined> {
  signal?.throwIfAborted();
  const decoder = create();
  const frames: F[] = [];
  let failure: { error: unknown } | undefined;
  // for await releases the source (calls its iterator's return()) on any early exit.
  for await (const chunk of source) {
    signal?.throwIfAborted();
    try {
      decoder.push(chunk, frames);
    } catch (error) {
      failure = { error };
    }
    for (const frame of frames) yield frame;
    if (failure !== undefined) throw failure.error;
    frames.length = 0;
  }
  try {
    decoder.end(frames);
  } catch (error) {
    failure = { error };
  }
  yield* frames;
  if (failure !== undefined) throw failure.error;
}
