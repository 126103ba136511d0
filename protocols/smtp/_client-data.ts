/**
 * `DataEncoder`: a message as DATA sends it, CR LF line ends and dot-stuffed, chunk by chunk.
 *
 * @module
 */
import { SMTPClientError } from './smtp-error.js';

/**
 * Where the encoder stands: at the start of a line; inside one; or just past a CR, which was
 * written as CR LF already, so an LF right after it is dropped (and this is a line start too).
 */
type LineState = 'line-start' | 'in-line' | 'after-cr';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const terminator = Uint8Array.of(DOT, CR, LF);
const lineEndAndTerminator = Uint8Array.of(CR, LF, DOT, CR, LF);

/**
 * Encodes a message for the DATA phase (RFC 5321 section 4.5.2): every line end becomes CR LF
 * (CR LF, a bare LF and a bare CR alike, so no `<LF>.<LF>` or `<CR>.<CR>` reaches the server
 * to be read as an end by one and as text by another), a line that starts with a dot gets a
 * second one, and `end()` gives the final `CR LF . CR LF` (with the CR LF only when the message
 * did not end with a line end). The state carries across chunks, so a message may be split
 * anywhere. With `sevenBit`, a byte above 127 throws SMTPClientError (`'8bitmime'`): the
 * server did not take 8-bit data.
 *
 * ```text
 * encode('a\n.b')  → 'a\r\n..b'
 * encode('\r')     → '\r\n'
 * encode('\nc')    → 'c'          (the LF of a CR LF split across chunks)
 * end()            → '\r\n.\r\n'
 * ```
 *
 * @example
 * ```ts
 * const encoder = new DataEncoder();
 * connection.write(encoder.encode(Buffer.from('Subject: hi\n\n.hello\n')));
 * connection.write(encoder.end());
 * ```
 */
export class DataEncoder {
  #state: LineState = 'line-start';
  #eightBit = false;

  constructor(private readonly _sevenBit = false) {}

  /** Whether a byte above 127 went through. */
  get eightBit(): boolean {
    return this.#eightBit;
  }

  /** The bytes of `chunk` as they go on the wire. */
  encode(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length * 2);
    let n = 0;
    let state = this.#state;
    for (const byte of chunk) {
      if (byte === LF) {
        if (state !== 'after-cr') {
          out[n++] = CR;
          out[n++] = LF;
        }
        state = 'line-start';
        continue;
      }
      if (byte === CR) {
        out[n++] = CR;
        out[n++] = LF;
        state = 'after-cr';
        continue;
      }
      if (byte > 0x7f) this.#sawEightBit();
      if (byte === DOT && state !== 'in-line') out[n++] = DOT;
      out[n++] = byte;
      state = 'in-line';
    }
    this.#state = state;
    return out.subarray(0, n);
  }

  /** What ends the data: CR LF if a line is open, then `.` CR LF. */
  end(): Uint8Array {
    return this.#state === 'in-line' ? lineEndAndTerminator : terminator;
  }

  #sawEightBit(): void {
    if (this._sevenBit) {
      throw new SMTPClientError(
        '8bitmime',
        'the message has 8-bit data and the server does not offer 8BITMIME',
      );
    }
    this.#eightBit = true;
  }
}
