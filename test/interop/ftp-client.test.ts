import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectFtp, type FtpClient, type FtpClientOptions } from '../../protocols/ftp/client.js';
import { FTPError } from '../../protocols/ftp/ftp-client-error.js';
import { CertificateError } from '../../source/errors.js';
import { reactor } from '../../source/reactor.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { startPyftpdlib, startTwistedFtp } from '../support/ftp-peers.js';
import type { PeerProcess } from '../support/peer-process.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const test = checkClean(suite('interop/ftp-client'), { reactors: [reactor] });
const decoder = new TextDecoder();

/** A fresh folder for one server's files. */
function folder(name: string): string {
  return mkdtempSync(join(tmpdir(), `spindle-ftp-${name}-`));
}

/** Runs `body` with a server from `start` over a fresh folder, stopped (by PID) and removed after. */
async function withServer(
  start: (root: string) => Promise<PeerProcess>,
  body: (server: PeerProcess, root: string) => Promise<void>,
): Promise<void> {
  const root = folder('root');
  const server = await start(root);
  try {
    await body(server, root);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Runs `body` with a client logged in to `port`; it quits after. */
async function withClient(
  port: number,
  options: FtpClientOptions & { user?: string; password?: string },
  body: (client: FtpClient) => Promise<void>,
): Promise<void> {
  const client = await connectFtp({ host: '127.0.0.1', port }, options);
  try {
    await client.login(options.user ?? 'user', options.password ?? 'pass');
    await body(client);
  } finally {
    await client.quit();
  }
}

async function bytesOf(iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return Buffer.concat(chunks);
}

test('pyftpdlib: login, features, pwd, and list through MLSD', async () => {
  await withServer(startPyftpdlib, async (server, root) => {
    writeFileSync(join(root, 'a.txt'), 'hello\n');
    mkdirSync(join(root, 'sub'));
    await withClient(server.port, {}, async (client) => {
      assert.ok((await client.features()).has('MLST'));
      assert.is(await client.pwd(), '/');
      const entries = await client.list();
      assert.equal(entries.map((entry) => [entry.name, entry.kind]).sort(), [
        ['a.txt', 'file'],
        ['sub', 'directory'],
      ]);
      const file = entries.find((entry) => entry.name === 'a.txt')!;
      assert.is(file.size, 6);
      assert.is(
        Math.floor(file.modified.getTime() / 1000),
        Math.floor(statSync(join(root, 'a.txt')).mtimeMs / 1000),
      );
      assert.equal((await client.nlst()).sort(), ['a.txt', 'sub']);
    });
  });
});

test('pyftpdlib: uploads from a string, an Observable and a file stream, downloaded back byte for byte', async () => {
  await withServer(startPyftpdlib, async (server, root) => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const source = join(folder('source'), 'big.bin');
    writeFileSync(source, big);
    await withClient(server.port, {}, async (client) => {
      assert.is(await client.store('text.txt', 'hello, world\n'), 13);
      const pieces = new Observable<Uint8Array>((subscriber) => {
        for (let n = 0; n < 4; n++) subscriber.next(new Uint8Array(1000).fill(n));
        subscriber.complete();
      });
      assert.is(await client.store('pieces.bin', pieces), 4000);
      assert.is(await client.store('big.bin', createReadStream(source)), big.byteLength);
      assert.is(readFileSync(join(root, 'text.txt'), 'utf8'), 'hello, world\n');
      assert.is(readFileSync(join(root, 'pieces.bin')).byteLength, 4000);
      assert.ok(readFileSync(join(root, 'big.bin')).equals(big));
      assert.ok((await bytesOf(await client.retrieve('big.bin'))).equals(big), 'for await');
      const chunks: Uint8Array[] = [];
      await new Promise<void>((resolve, reject) =>
        client
          .retrieve('big.bin')
          .addCallback((body) =>
            body.subscribe({ next: (chunk) => chunks.push(chunk), error: reject, complete: resolve }),
          ),
      );
      assert.ok(Buffer.concat(chunks).equals(big), 'subscribed');
    });
    rmSync(join(source, '..'), { recursive: true, force: true });
  });
});

test('pyftpdlib: resume a download and an upload (REST), and append (APPE)', async () => {
  await withServer(startPyftpdlib, async (server, root) => {
    await withClient(server.port, {}, async (client) => {
      await client.store('r.txt', '0123456789');
      assert.is(decoder.decode(await (await client.retrieve('r.txt', { offset: 6 })).readAll()), '6789');
      await client.store('half.txt', '01234');
      await client.store('half.txt', '56789', { offset: await client.size('half.txt') });
      assert.is(readFileSync(join(root, 'half.txt'), 'utf8'), '0123456789');
      await client.store('r.txt', '!', { append: true });
      assert.is(readFileSync(join(root, 'r.txt'), 'utf8'), '0123456789!');
    });
  });
});

test('pyftpdlib: rename, delete, mkdir, cwd, rmdir, size, mtime, and refusals as FTPError', async () => {
  await withServer(startPyftpdlib, async (server, root) => {
    await withClient(server.port, {}, async (client) => {
      await client.store('one.txt', '12345');
      assert.is(await client.size('one.txt'), 5);
      const mtime = await client.mtime('one.txt');
      assert.is(
        Math.floor(mtime.getTime() / 1000),
        Math.floor(statSync(join(root, 'one.txt')).mtimeMs / 1000),
      );
      await client.rename('one.txt', 'two.txt');
      assert.equal(await client.nlst(), ['two.txt']);
      assert.is(await client.mkdir('dir'), '/dir');
      await client.cwd('dir');
      assert.is(await client.pwd(), '/dir');
      await client.cdup();
      await client.rmdir('dir');
      await client.delete('two.txt');
      assert.equal(await client.nlst(), []);
      try {
        await client.size('missing.txt');
        assert.unreachable('SIZE of a missing file');
      } catch (error) {
        assert.instance(error, FTPError);
        assert.is((error as FTPError).replyCode, 550);
      }
      assert.is(await client.pwd(), '/', 'the session goes on');
    });
  });
});

test('pyftpdlib: a wrong password is FTPError 530', async () => {
  await withServer(startPyftpdlib, async (server) => {
    const client = await connectFtp({ host: '127.0.0.1', port: server.port });
    try {
      await client.login('user', 'wrong');
      assert.unreachable('logged in with a wrong password');
    } catch (error) {
      assert.instance(error, FTPError);
      assert.is((error as FTPError).replyCode, 530);
      assert.not.match((error as FTPError).message, /wrong/);
    } finally {
      await client.quit();
    }
  });
});

test('pyftpdlib: active mode (EPRT), the server connecting to the client', async () => {
  await withServer(startPyftpdlib, async (server, root) => {
    writeFileSync(join(root, 'a.txt'), 'active\n');
    await withClient(server.port, { mode: 'active' }, async (client) => {
      assert.equal(
        (await client.list()).map((entry) => entry.name),
        ['a.txt'],
      );
      assert.is(decoder.decode(await (await client.retrieve('a.txt')).readAll()), 'active\n');
      await client.store('b.txt', 'up');
      assert.is(readFileSync(join(root, 'b.txt'), 'utf8'), 'up');
    });
  });
});

test('pyftpdlib over explicit TLS: AUTH TLS, PBSZ, PROT P, data in TLS; the certificate is verified', async () => {
  const certificate = throwawayCertificate();
  const scratch = folder('tls');
  try {
    await withServer(
      (root) => startPyftpdlib(root, { certificate, scratch }),
      async (server, root) => {
        await withClient(server.port, { tls: { ca: certificate.cert } }, async (client) => {
          assert.ok(client.connection.secure);
          await client.store('secret.txt', 'over TLS');
          assert.is(readFileSync(join(root, 'secret.txt'), 'utf8'), 'over TLS');
          assert.equal(
            (await client.list()).map((entry) => entry.name),
            ['secret.txt'],
          );
          assert.is(decoder.decode(await (await client.retrieve('secret.txt')).readAll()), 'over TLS');
        });
        // active mode over TLS: pyftpdlib connects, and the client still plays the TLS client
        await withClient(server.port, { tls: { ca: certificate.cert }, mode: 'active' }, async (client) => {
          await client.store('active.txt', 'active over TLS');
          assert.is(decoder.decode(await (await client.retrieve('active.txt')).readAll()), 'active over TLS');
        });
        try {
          await connectFtp({ host: '127.0.0.1', port: server.port }, { tls: true });
          assert.unreachable('a self-signed certificate was trusted');
        } catch (error) {
          assert.instance(error, CertificateError);
        }
      },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('twistd3 ftp: anonymous login, LIST parsed (no MLST, no EPSV: PASV), download, upload refused', async () => {
  await withServer(startTwistedFtp, async (server, root) => {
    writeFileSync(join(root, 't.txt'), 'from twisted\n');
    mkdirSync(join(root, 'sub'));
    await withClient(server.port, { user: 'anonymous', password: 'spindle@' }, async (client) => {
      assert.not.ok((await client.features()).has('MLST'));
      const entries = await client.list();
      assert.equal(entries.map((entry) => [entry.name, entry.kind]).sort(), [
        ['sub', 'directory'],
        ['t.txt', 'file'],
      ]);
      assert.is(entries.find((entry) => entry.name === 't.txt')!.size, 13);
      assert.is(decoder.decode(await (await client.retrieve('t.txt')).readAll()), 'from twisted\n');
      assert.is(await client.size('t.txt'), 13);
      try {
        await client.store('x.txt', 'no');
        assert.unreachable('anonymous upload');
      } catch (error) {
        assert.instance(error, FTPError);
        assert.is((error as FTPError).replyCode, 550);
      }
    });
  });
});

test.run();
