/**
 * `Decoder`: the shape every sans-I/O decoder in operators/ shares, so one rxjs shell and one ix
 * shell serve them all.
 *
 * @module
 */

/**
 * A sans-I/O decoder: bytes in, frames out. `push` appends the frames a chunk completes to
 * `frames` (and returns it); when the input breaks a limit or the format it throws a typed error,
 * and the frames that came before the offending one are already in `frames`, so a caller that
 * passes its own array sees them whatever the chunking. `end` says the input is over.
 *
 * @example
 * ```ts
 * const frames: string[] = [];
 * try { decoder.push(chunk, frames); } catch (error) { deliver(frames); fail(error); }
 * ```
 */
export interface Decoder<F> {
  push(chunk: Uint8Array, frames?: F[]): readonly F[];
  end(frames?: F[]): readonly F[];
}
