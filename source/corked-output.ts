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
  private _depth = 0;

  constructor(private readonly _connection: Connection) {}

  /** Starts gathering (corks nest). */
  cork(): void {
    this._depth++;
  }

  /** Ends a `cork()`; the outermost writes what was gathered. False when the connection's buffer is full. */
  uncork(): boolean {
    if (--this._depth > 0) return true;
    const parts = this._parts;
    if (parts !== undefined) {
      this._parts = undefined;
      return this._writeMixed(parts);
    }
    const text = this._text;
    if (text.length === 0) return true;
    this._text = '';
    return this._connection.write(text);
  }

  /** Fires once the connection's write buffer is below its high-water mark (see `Connection.drained`). */
  drained(): Deferred<void> {
    return this._connection.drained();
  }

  /** Writes, or gathers while corked. False when the connection's buffer is full. */
  write(part: string | Uint8Array): boolean {
    if (this._depth === 0) return this._connection.write(part);
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

  private _writeMixed(parts: readonly (string | Uint8Array)[]): boolean {
    if (parts.length === 1) return this._connection.write(parts[0]!);
    let ok = true;
    let batch: Uint8Array[] = [];
    for (const part of parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part) : part;
      if (bytes.byteLength < copyLimit) {
        batch.push(bytes);
        continue;
      }
      if (batch.length > 0) {
        ok = this._connection.write(Buffer.concat(batch)) && ok;
        batch = [];
      }
      ok = this._connection.write(bytes) && ok;
    }
    if (batch.length > 0)
      ok = this._connection.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch)) && ok;
    return ok;
  }
}
