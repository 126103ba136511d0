import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { tap } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../source/connection.js';
import { listen } from '../../source/endpoints.js';
import { protocol } from '../../source/protocol.js';

const test = suite('source/backpressure');

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** A peer that sends `bytes` as fast as TCP lets it, then closes; it reports how often it had to wait. */
function sender(port: number, bytes: number): ChildProcess {
  const script = `
    const socket = require('net').connect(${port}, '127.0.0.1');
    const chunk = Buffer.alloc(65536, 120);
    let sent = 0, waits = 0;
    function pump() {
      while (sent < ${bytes}) {
        sent += chunk.length;
        if (!socket.write(chunk)) { waits++; socket.once('drain', pump); return; }
      }
      socket.end(() => console.log(JSON.stringify({ sent, waits })));
    }
    socket.on('connect', pump);
    socket.on('error', (e) => { console.error(e.message); process.exit(1); });`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** A peer that reads slowly (hashing every byte four times with SHA-512) and reports what it read. */
function slowReader(port: number): ChildProcess {
  const script = `
    const { createHash } = require('crypto');
    const socket = require('net').connect(${port}, '127.0.0.1');
    let received = 0;
    socket.on('data', (chunk) => {
      received += chunk.length;
      for (let i = 0; i < 4; i++) createHash('sha512').update(chunk).digest();
    });
    socket.on('end', () => { console.log(JSON.stringify({ received })); socket.end(); });`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function report<T>(child: ChildProcess): Promise<T> {
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number];
  assert.is(code, 0, 'the peer process exited cleanly');
  return JSON.parse(out) as T;
}

/** Tracks the largest growth of this process's resident memory from where it started. */
function memoryWatch() {
  globalThis.gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  return {
    sample() {
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
    },
    get growth() {
      return peak - start;
    },
  };
}

test('a peer sending 1 GiB to a slow pull consumer leaves memory bounded (for await)', async () => {
  const memory = memoryWatch();
  const accepted: Connection[] = [];
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => accepted.push(conn)),
  );
  const { port } = await server.address;
  const reader = slowReader(port);
  while (accepted.length === 0) await nextTurn();
  const sink = accepted[0]!; // the consumer is slow because what it writes to is slow
  const fast = sender(port, GiB);
  while (accepted.length === 1) await nextTurn();
  let consumed = 0;
  for await (const chunk of accepted[1]!) {
    consumed += chunk.byteLength;
    memory.sample();
    if (!sink.write(chunk)) await sink.drained();
  }
  sink.close();
  const [sentReport, readReport] = await Promise.all([
    report<{ sent: number; waits: number }>(fast),
    report<{ received: number }>(reader),
  ]);
  await server.close();
  assert.is(consumed, GiB, 'every byte arrived');
  assert.is(readReport.received, GiB, 'and went on to the slow peer');
  assert.ok(sentReport.waits > 0, 'the sender was made to wait');
  assert.ok(memory.growth < 64 * MiB, `memory grew by ${(memory.growth / MiB).toFixed(1)} MiB`);
});

test('a proxy from a fast peer to a slow one (a.data$ piped into b) leaves memory bounded', async () => {
  const memory = memoryWatch();
  const accepted: Connection[] = [];
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => accepted.push(conn)),
  );
  const { port } = await server.address;
  const reader = slowReader(port);
  while (accepted.length === 0) await nextTurn();
  const outbound = accepted[0]!; // the slow reader
  const fast = sender(port, GiB);
  while (accepted.length === 1) await nextTurn();
  const inbound = accepted[1]!;
  inbound.data$.pipe(tap(() => memory.sample())).subscribe(outbound);
  const [sentReport, readReport] = await Promise.all([
    report<{ sent: number; waits: number }>(fast),
    report<{ received: number }>(reader),
  ]);
  await server.close();
  assert.is(readReport.received, GiB, 'every byte reached the slow reader');
  assert.ok(sentReport.waits > 0, 'the fast sender was made to wait');
  assert.ok(memory.growth < 64 * MiB, `memory grew by ${(memory.growth / MiB).toFixed(1)} MiB`);
});

test.run();
