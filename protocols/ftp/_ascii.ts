/**
 * `AsciiEncoder` and `AsciiDecoder`: the line-end conversion of TYPE A transfers (RFC 959
 * §3.1.1.1), sans-I/O: files keep LF, the wire has CR LF. Private to protocols/ftp.
 *
 * @module
 */

const CR = 0x0d;
const LF = 0x0a;
const empty = new Uint8Array(0);

/**
 * A file's bytes as TYPE A sends them (RETR): an LF gets a CR before it unless one is there
 * already (a file with CR LF line ends goes as it is, as vsftpd does), across chunk bounds.
 *
 * @example
 * ```ts
 * new AsciiEncoder().push(Buffer.from('a\nb\r\n')); // 'a\r\nb\r\n'
 * ```
 */
export class AsciiEncoder {
  /** The last byte pushed. */
  private _last = 0;

  /** The chunk converted (the chunk itself when it holds no bare LF). */
  push(chunk: Uint8Array): Uint8Array {
    const first = this._last;
    let bare = 0;
    let previous = first;
    for (const byte of chunk) {
      if (byte === LF && previous !== CR) bare++;
      previous = byte;
    }
    this._last = previous;
    if (bare === 0) return chunk;
    const out = new Uint8Array(chunk.byteLength + bare);
    let at = 0;
    previous = first;
    for (const byte of chunk) {
      if (byte === LF && previous !== CR) out[at++] = CR;
      out[at++] = byte;
      previous = byte;
    }
    return out;
  }
}

/**
 * TYPE A bytes as a file keeps them (STOR, APPE, STOU): CR LF becomes LF, across chunk bounds (a
 * CR that ends a chunk waits for the next); a CR before anything else stays.
 *
 * @example
 * ```ts
 * const decoder = new AsciiDecoder();
 * decoder.push(Buffer.from('a\r')); // 'a'
 * decoder.push(Buffer.from('\nb')); // '\nb'
 * decoder.end();                    // ''
 * ```
 */
export class AsciiDecoder {
  /** A CR ended the last chunk, and is held back. */
  private _held = false;

  /** The chunk converted. */
  push(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.byteLength + 1);
    let at = 0;
    let held = this._held;
    for (const byte of chunk) {
      if (held && byte !== LF) out[at++] = CR;
      held = byte === CR;
      if (!held) out[at++] = byte;
    }
    this._held = held;
    return out.subarray(0, at);
  }

  /** What is held back at the end: a lone CR, or nothing. */
  end(): Uint8Array {
    const held = this._held;
    this._held = false;
    return held ? Uint8Array.of(CR) : empty;
  }
}
