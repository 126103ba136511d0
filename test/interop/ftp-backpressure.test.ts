import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ftpServer } from '../../protocols/ftp/server.js';
import { ftpUsers } from '../../protocols/ftp/users.js';
import { type InetAddress, listen, type Server } from '../../source/index.js';

// The FTP counterpart of test/source/backpressure.test.ts: 1 GiB through the server, to a peer
// slower than the server (RETR) and from a peer faster than the disk (STOR); the server's memory
// stays bounded (it grew by ~34 MiB and ~1 MiB here). Without backpressure the test fails: with
// `BodyWriter` not waiting for `drained()`, the RETR grew the memory by 834 MiB (the file read into
// the socket's buffer ahead of the slow reader); with `FileUpload.write` never pausing the data
// connection and its queue limit lifted, the STOR grew it by 605 MiB.
const test = suite('interop/ftp-backpressure');

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * An FTP client in a child process: logs in, EPSV, then RETR `big` reading slowly (hashing every
 * byte four times with SHA-512), or STOR `up` sending `bytes` as fast as TCP lets it; reports the
 * bytes moved, how often it had to wait, and the replies.
 */
function client(port: number, verb: 'RETR' | 'STOR', bytes = 0): ChildProcess {
  const script = `
    const net = require('net'), { once } = require('events'), { createHash } = require('crypto');
    const control = net.connect(${port}, '127.0.0.1');
    const replies = []; let rest = '', wake;
    control.on('data', (d) => {
      const parts = (rest + d).split('\\r\\n'); rest = parts.pop();
      for (const line of parts) if (/^\\d{3} /.test(line)) replies.push(line);
      wake?.();
    });
    const reply = async () => { while (replies.length === 0) await new Promise((r) => (wake = r)); return replies.shift(); };
    const send = (line) => { control.write(line + '\\r\\n'); return reply(); };
    (async () => {
      await reply();
      for (const line of ['USER alice', 'PASS secret', 'TYPE I']) await send(line);
      const epsv = await send('EPSV');
      const data = net.connect(Number(/\\|\\|\\|(\\d+)\\|/.exec(epsv)[1]), '127.0.0.1');
      await once(data, 'connect');
      const mark = await send('${verb === 'RETR' ? 'RETR big' : 'STOR up'}');
      let moved = 0, waits = 0;
      if (${verb === 'RETR'}) {
        data.on('data', (chunk) => {
          moved += chunk.length;
          for (let i = 0; i < 4; i++) createHash('sha512').update(chunk).digest();
        });
        await once(data, 'end');
      } else {
        const chunk = Buffer.alloc(65536, 120);
        while (moved < ${bytes}) {
          moved += chunk.length;
          if (!data.write(chunk)) { waits++; await once(data, 'drain'); }
        }
        data.end();
      }
      const done = await reply();
      control.end('QUIT\\r\\n');
      console.log(JSON.stringify({ moved, waits, mark, done }));
    })().catch((e) => { console.error(e.message); process.exit(1); });`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

interface Report {
  readonly moved: number;
  readonly waits: number;
  readonly mark: string;
  readonly done: string;
}

/** Waits for the client's report, sampling this process's memory meanwhile; the largest growth. */
async function transfer(child: ChildProcess): Promise<{ report: Report; growth: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  try {
    const [code] = (await once(child, 'exit')) as [number];
    assert.is(code, 0, 'the client exited cleanly');
  } finally {
    clearInterval(sampler);
  }
  return { report: JSON.parse(out) as Report, growth: peak - start };
}

const root = mkdtempSync(join(tmpdir(), 'spindle-ftp-1gib-'));
let server: Server<InetAddress>;
let port = 0;

test.before(async () => {
  writeFileSync(join(root, 'big'), '');
  truncateSync(join(root, 'big'), GiB); // sparse: nothing written to the disk
  server = listen(
    'tcp:0:interface=127.0.0.1',
    ftpServer({ root, checker: ftpUsers({ alice: { password: 'secret' } }) }),
  );
  port = (await server.address).port;
});

test.after(async () => {
  await server.close({ gracePeriod: 1 });
  rmSync(root, { recursive: true, force: true });
});

test('a 1 GiB RETR to a slow reader leaves the server memory bounded', async () => {
  const { report, growth } = await transfer(client(port, 'RETR'));
  assert.match(report.mark, /^125 /, 'the data connection came before RETR');
  assert.match(report.done, /^226 /);
  assert.is(report.moved, GiB, 'every byte arrived');
  assert.ok(growth < 64 * MiB, `memory grew by ${(growth / MiB).toFixed(1)} MiB`);
});

test('a 1 GiB STOR from a fast sender leaves the server memory bounded', async () => {
  const { report, growth } = await transfer(client(port, 'STOR', GiB));
  assert.match(report.done, /^226 /);
  assert.ok(report.waits > 0, 'the sender was made to wait');
  assert.is(statSync(join(root, 'up')).size, GiB, 'the file is in place, whole');
  rmSync(join(root, 'up'));
  assert.ok(growth < 64 * MiB, `memory grew by ${(growth / MiB).toFixed(1)} MiB`);
});

test.run();
