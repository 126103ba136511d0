/**
 * The pull path's cost per item, beside a bare native async generator consumed by `for await`:
 * a Connection's `[Symbol.asyncIterator]` (its backpressured queue, fed synchronously by an
 * in-memory transport, as fast as it asks), and the ix-flavour `lines()` from operators/async, per
 * line, over chunks of short lines (beside a hand-written async generator that splits the same
 * lines). Run: `npm run bench -- iterate`.
 */

import { lines } from '../../operators/async/index.js';
import type { MemoryAddress } from '../../source/address.js';
import { BaseConnection } from '../../source/connection.js';
import { ConnectionDone } from '../../source/errors.js';
import { alternate, median, printSection, table } from './_report.js';

const items = 1_000_000;
const rounds = 7;
const chunk = new Uint8Array(16);
const linesPerChunk = 64;
const line = '0123456789abcdef'; // 16 bytes, + CRLF
const lineChunk = Buffer.from(`${line}\r\n`.repeat(linesPerChunk));
const crlf = Buffer.from('\r\n');

/** The baseline: a native async generator yielding `count` values. */
async function* bare<T>(value: T, count: number): AsyncGenerator<T, void, undefined> {
  for (let i = 0; i < count; i++) yield value;
}

/**
 * A connection over nothing: whenever it is asked to read, it delivers its chunks synchronously
 * (through `received`, as a socket's 'data' events would) until it is paused or has sent `count`,
 * then sends FIN.
 */
class FeedConnection extends BaseConnection {
  readonly localAddress: MemoryAddress = { type: 'memory', name: 'bench' };
  readonly remoteAddress: MemoryAddress = { type: 'memory', name: 'feed' };
  readonly secure = false;
  private _left: number;
  private _on = false;
  private _feeding = false;

  constructor(
    private readonly _chunk: Uint8Array,
    count: number,
  ) {
    super('server');
    this._left = count;
  }

  protected transportWrite(): boolean {
    return true;
  }
  protected transportEnd(): void {}
  protected transportClose(): void {
    this.lost(new ConnectionDone());
  }
  protected transportAbort(): void {
    this.lost(new ConnectionDone());
  }
  protected transportSetReading(reading: boolean): void {
    this._on = reading;
    if (reading && !this._feeding) this._feed();
  }

  private _feed(): void {
    this._feeding = true;
    while (this._on && this._left > 0) {
      this._left--;
      this.received(this._chunk);
    }
    this._feeding = false;
    if (this._left === 0 && this._on) this.receivedEnd();
  }
}

/**
 * A hand-written line splitter, for reference: the least a native async generator can do to yield
 * the same strings (CRLF lines, UTF-8, a line may span chunks).
 */
async function* splitLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<string, void, undefined> {
  let rest: Buffer | undefined;
  for await (const bytes of source) {
    let buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (rest !== undefined) {
      buffer = Buffer.concat([rest, buffer]);
      rest = undefined;
    }
    let start = 0;
    for (let end = buffer.indexOf(crlf, start); end >= 0; end = buffer.indexOf(crlf, start)) {
      yield buffer.toString('utf8', start, end);
      start = end + 2;
    }
    if (start < buffer.byteLength) rest = Buffer.from(buffer.subarray(start));
  }
}

let sink = 0;
/** Consumes `source`, checks it yielded `expected` values, and returns ns per value. */
async function time(source: AsyncIterable<unknown>, expected: number): Promise<number> {
  const start = performance.now();
  let count = 0;
  for await (const value of source) {
    count++;
    if (typeof value === 'string') sink += value.length;
  }
  const ns = ((performance.now() - start) * 1e6) / count;
  if (count !== expected) throw new Error(`expected ${expected} values, got ${count}`);
  return ns;
}

const lineCount = items;
const lineChunks = lineCount / linesPerChunk;
const contenders = {
  bare: () => time(bare(chunk, items), items),
  connection: () => time(new FeedConnection(chunk, items), items),
  lines: () => time(lines()(bare(lineChunk, lineChunks)), lineCount),
  linesOverConnection: () => time(lines()(new FeedConnection(lineChunk, lineChunks)), lineCount),
  splitLines: () => time(splitLines(bare(lineChunk, lineChunks)), lineCount),
};
for (const run of Object.values(contenders)) await run(); // warm up
const samples = await alternate(rounds, contenders);
const ns = Object.fromEntries(
  Object.entries(samples).map(([name, s]) => [name, median(s as number[])]),
) as Record<keyof typeof contenders, number>;
const ratio = (x: number) => (x / ns.bare).toFixed(2);
const verdict = (x: number) => (x / ns.bare <= 2 ? 'met' : '**not met**');
const rows = [
  ['bare `async function*` → `for await`', ns.bare.toFixed(1), '1.00'],
  ['Connection `[Symbol.asyncIterator]` (16-byte chunks)', ns.connection.toFixed(1), ratio(ns.connection)],
  [
    `\`lines()\` (operators/async), per line, ${linesPerChunk} lines a chunk`,
    ns.lines.toFixed(1),
    ratio(ns.lines),
  ],
  ['`lines()` over a Connection, per line', ns.linesOverConnection.toFixed(1), ratio(ns.linesOverConnection)],
  [
    'hand-written async generator splitting the same lines (reference)',
    ns.splitLines.toFixed(1),
    ratio(ns.splitLines),
  ],
];
printSection(
  'Pull path per item (`test/bench/iterate.ts`)',
  `${items.toLocaleString('en')} items per run consumed by \`for await\`; median of ${rounds} alternating rounds. ` +
    'The Connection is fed synchronously by an in-memory transport whenever it reads, so its queue stays at the ' +
    '64 KiB read high-water mark and each item goes through its pause/resume; `lines()` splits ' +
    `${linesPerChunk} CRLF lines of 16 bytes per chunk into strings. ` +
    `Goal: ≤ 2× the bare generator. Result: Connection ${ratio(ns.connection)}× (${verdict(ns.connection)}), ` +
    `\`lines()\` ${ratio(ns.lines)}× (${verdict(ns.lines)}).\n\n` +
    table(['contender', 'ns per item', 'ratio to bare generator'], rows),
);
if (sink < 0) console.log(sink);
