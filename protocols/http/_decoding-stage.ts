/**
 * Content decoding for response bodies (`gzip`, `deflate`, `br`) through `node:zlib`'s streaming
 * decompressors, with backpressure both ways.
 *
 * @module
 */
import {
  type BrotliDecompress,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  type Gunzip,
  type Inflate,
  type InflateRaw,
} from 'node:zlib';
import type { BodySink, BodySource } from '../../source/body-stream.js';
import { ContentDecodingError } from './client-response.js';

/**
 * The content codings this client decodes, as it offers them in `Accept-Encoding`.
 *
 * @example
 * ```ts
 * headers.set('Accept-Encoding', acceptedEncodings); // 'gzip, deflate, br'
 * ```
 */
export const acceptedEncodings = 'gzip, deflate, br';

type Decompressor = Gunzip | Inflate | InflateRaw | BrotliDecompress;

/**
 * Splits a `Content-Encoding` value into its codings, lower case, in the order they were applied.
 *
 * @example
 * ```ts
 * contentCodings('GZIP, identity, br'); // ['gzip', 'br']
 * ```
 */
export function contentCodings(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

/**
 * Whether this client can undo `coding`.
 *
 * @example
 * ```ts
 * decodable('br'); // true
 * decodable('zstd'); // false
 * ```
 */
export function decodable(coding: string): boolean {
  return coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate' || coding === 'br';
}

/**
 * One decoding stage: compressed bytes in (a `BodySink`), decoded bytes out to `sink`. The
 * decompressor is made on the first chunk (so an empty body stays empty, and `deflate` can tell a
 * zlib stream from a raw one, which some servers send). A full decompressor pauses the stage
 * feeding it; a paused `sink` pauses the decompressor.
 *
 * @example
 * ```ts
 * const stage = new DecodingStage('gzip', body);
 * body.feedFrom(stage);
 * stage.feedFrom(exchange);
 * stage.push(compressed); stage.end(); // the body stream gets the decoded bytes, then its end
 * ```
 */
export class DecodingStage implements BodySink, BodySource {
  private readonly _coding: string;
  private readonly _sink: BodySink;
  private _source: BodySource | undefined = undefined;
  private _decompressor: Decompressor | undefined = undefined;
  private _sourcePaused = false;
  private _done = false;

  constructor(coding: string, sink: BodySink) {
    this._coding = coding;
    this._sink = sink;
  }

  /** Connects the stage feeding this one. */
  feedFrom(source: BodySource): void {
    this._source = source;
  }

  push(chunk: Uint8Array): void {
    if (this._done || chunk.byteLength === 0) return;
    this._decompressor ??= this._create(chunk);
    const decompressor = this._decompressor;
    if (!decompressor.write(chunk) && !this._sourcePaused) {
      this._sourcePaused = true;
      this._source?.pause();
      decompressor.once('drain', () => {
        this._sourcePaused = false;
        if (!this._done) this._source?.resume();
      });
    }
  }

  end(): void {
    if (this._done) return;
    if (this._decompressor === undefined) {
      this._done = true;
      this._sink.end();
    } else {
      this._decompressor.end();
    }
  }

  fail(error: unknown): void {
    if (this._done) return;
    this._done = true;
    this._decompressor?.destroy();
    this._sink.fail(error);
  }

  pause(): void {
    this._decompressor?.pause();
  }

  resume(): void {
    this._decompressor?.resume();
  }

  abandon(reason: Error): void {
    if (this._done) return;
    this._done = true;
    this._decompressor?.destroy();
    this._source?.abandon?.(reason);
  }

  private _create(first: Uint8Array): Decompressor {
    const decompressor =
      this._coding === 'br'
        ? createBrotliDecompress()
        : this._coding === 'deflate'
          ? isZlibHeader(first)
            ? createInflate()
            : createInflateRaw()
          : createGunzip();
    decompressor.on('data', (data: Buffer) => {
      if (!this._done) this._sink.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    decompressor.once('end', () => {
      if (this._done) return;
      this._done = true;
      this._sink.end();
    });
    decompressor.once('error', (error: Error) => {
      if (this._done) return;
      this._done = true;
      const failure = new ContentDecodingError(`cannot decode the ${this._coding} body: ${error.message}`, {
        cause: error,
      });
      this._sink.fail(failure);
      this._source?.abandon?.(failure);
    });
    return decompressor;
  }
}

/** Whether `bytes` starts with a zlib header (RFC 1950): deflate method, a valid check value. */
function isZlibHeader(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 2) return true;
  const cmf = bytes[0]!;
  const flg = bytes[1]!;
  return (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
}
