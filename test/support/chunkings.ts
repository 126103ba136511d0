/**
 * Every way a codec test splits its input (Twisted's "down to one byte at a time"), and `feed`,
 * which runs a sans-I/O decoder over one of them.
 *
 * @module
 */

/** One way of splitting an input, named for assertion messages. */
export interface Chunking {
  readonly label: string;
  readonly chunks: readonly Uint8Array[];
}

/**
 * Yields every 2-way split of `input` (empty first or last part included), then every fixed chunk
 * size from 1 (one byte at a time) to `input.length`. Each chunking gets fresh copies (plain
 * Uint8Arrays, not Buffers), so a test may scribble on them.
 *
 * @example
 * ```ts
 * for (const { label, chunks } of chunkings(Buffer.from('a\r\nb\r\n'))) check(chunks, label);
 * ```
 */
export function* chunkings(input: Uint8Array): Generator<Chunking> {
  const bytes = Uint8Array.from(input);
  for (let at = 0; at <= bytes.length; at++) {
    yield { label: `split at ${at}`, chunks: [bytes.slice(0, at), bytes.slice(at)] };
  }
  for (let size = 1; size <= bytes.length; size++) {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.slice(at, at + size));
    yield { label: size === 1 ? 'one byte at a time' : `${size}-byte chunks`, chunks };
  }
}

/** What `feed` gives back: the frames, then the error that stopped the decoder, if any. */
export interface Fed<F> {
  readonly frames: F[];
  readonly error: unknown;
}

/** The decoder shape `feed` drives. */
export interface FrameDecoder<F> {
  push(chunk: Uint8Array, frames?: F[]): readonly F[];
  end(frames?: F[]): readonly F[];
}

/**
 * Pushes each chunk, then ends. Byte frames are copied as they come, and each chunk is then
 * overwritten, so a decoder that kept a view of a chunk it was given (rather than of its own
 * buffer) yields wrong frames. `afterPush`, when given, runs after each push that did not throw
 * (a fuzz property checks the decoder's buffered state there); what it throws is the `error`.
 *
 * @example
 * ```ts
 * const { frames, error } = feed(new LineDecoder(), [Buffer.from('a\r'), Buffer.from('\n')]);
 * ```
 */
export function feed<F>(
  decoder: FrameDecoder<F>,
  chunks: readonly Uint8Array[],
  afterPush?: () => void,
): Fed<F> {
  const frames: F[] = [];
  let owned = 0;
  const own = (): void => {
    for (; owned < frames.length; owned++) {
      const frame = frames[owned];
      if (frame instanceof Uint8Array) frames[owned] = Uint8Array.from(frame) as F;
    }
  };
  try {
    for (const chunk of chunks) {
      decoder.push(chunk, frames);
      own();
      chunk.fill(0xee);
      afterPush?.();
    }
    decoder.end(frames);
    own();
  } catch (error) {
    own();
    return { frames, error };
  }
  return { frames, error: undefined };
}
