/**
 * `CorkedOutput`: a connection's writes gathered while corked and sent as one, so that the
 * replies to a batch of pipelined requests (or a head and its small body) leave in one write.
 *
 * @module
 */
import type { Connection } from './connection.js';
import type { Deferred } from './deferred.js';

/** Parts at least this big are written on their own rather than copied into a batch. */
const copyLimit = 16 * 1024;

/**
 * Writes to a connection; between `cork()` and the matching `uncork()`, gathers them instead and
 * then writes them as one: a single string when every part is a string (Node encodes it straight
 * into the socket), else one concatenated buffer (big parts go on their own, uncopied). Strings
 * are sent as UTF-8, so a response head must be ASCII by the time it comes here.
 *
 * @example
 * ```ts
 * const output = new CorkedOutput(connection);
 * output.cork();
 * output.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n');
 * output.write('hi');
 * output.uncork(); // one write
 * ```
 */
export class CorkedOutput {
  /** What was gathered, while it is all text. */
  private _text = '';
  /** What was gathered, once some of it is bytes. */
  private _parts: (string | Uint8Array)[] | undefined = undefined;
  /** The `written` callbacks of the parts gathered: called once the uncork's last write has left. */
  private _written: (() => void)[] | undefined = undefined;
  private _depth = 0;

  constructor(private readonly _connection: Connection) {}

  /** Starts gathering (corks nest). */
  cork(): void {
    this._depth++;
  }

  /** Ends a `cork()`; the outermost writes what was gathered. False when the connection's buffer is full. */
  uncork(): boolean {
    if (--this._depth > 0) return true;
    const written = this._takeWritten();
    const parts = this._parts;
    if (parts !== undefined) {
      this._parts = undefined;
      return this._writeMixed(parts, written);
    }
    const text = this._text;
    if (text.length === 0) {
      written?.();
      return true;
    }
    this._text = '';
    return this._connection.write(text, written);
  }

  /** Fires once the connection's write buffer is below its high-water mark (see `Connection.drained`). */
  drained(): Deferred<void> {
    return this._connection.drained();
  }

  /**
   * Writes, or gathers while corked. False when the connection's buffer is full. `written` is
   * called once the part's bytes have left the connection (see `Connection.write`): for a
   * gathered part, once the last write of its uncork has (writes leave in order).
   */
  write(part: string | Uint8Array, written?: () => void): boolean {
    if (this._depth === 0) return this._connection.write(part, written);
    if (written !== undefined) {
      if (this._written === undefined) this._written = [written];
      else this._written.push(written);
    }
    if (this._parts !== undefined) {
      this._parts.push(part);
    } else if (typeof part === 'string') {
      this._text += part;
    } else {
      this._parts = this._text.length > 0 ? [this._text, part] : [part];
      this._text = '';
    }
    return true;
  }

  /** The `written` callbacks gathered, as one (or none). */
  private _takeWritten(): (() => void) | undefined {
    const written = this._written;
    if (written === undefined) return undefined;
    this._written = undefined;
    if (written.length === 1) return written[0];
    return () => {
      for (const callback of written) callback();
    };
  }

  /** Writes the parts, big ones on their own and the rest in batches; `written` goes with the last write. */
  private _writeMixed(parts: readonly (string | Uint8Array)[], written: (() => void) | undefined): boolean {
    if (parts.length === 1) return this._connection.write(parts[0]!, written);
    let ok = true;
    /** The write made last, held back until the next one comes: the last one carries `written`. */
    let last: Uint8Array | undefined;
    const send = (bytes: Uint8Array) => {
      if (last !== undefined) ok = this._connection.write(last) && ok;
      last = bytes;
    };
    let batch: Uint8Array[] = [];
    for (const part of parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part) : part;
      if (bytes.byteLength < copyLimit) {
        batch.push(bytes);
        continue;
      }
      if (batch.length > 0) {
        send(Buffer.concat(batch));
        batch = [];
      }
      send(bytes);
    }
    if (batch.length > 0) send(batch.length === 1 ? batch[0]! : Buffer.concat(batch));
    return this._connection.write(last!, written) && ok;
  }
}
