import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FtpFileReader, FtpFileSystem, FtpFileWriter } from '../../../protocols/ftp/file-system.js';
import { MemoryFileSystem } from '../../../protocols/ftp/memory-file-system.js';
import type { Connection } from '../../../source/connection.js';
import { Deferred } from '../../../source/deferred.js';
import { activeProducer, type Pausable } from '../../../source/producer.js';
import { checkClean } from '../../../source/testing/index.js';
import {
  type Control,
  clientAddress,
  dataConnection,
  type Harness,
  harness,
  readAll,
} from './_server-harness.js';

const test = checkClean(suite('protocols/ftp/server-transfers'));

/** Logged in as alice, with a passive data connection made and the port it came to. */
async function withData(h: Harness, c: Control): Promise<Connection> {
  const port = await c.passive();
  return dataConnection(h.reactor, port);
}

async function session(options = {}, fsOptions = {}) {
  const h = harness(options, fsOptions);
  const c = h.connect();
  await c.login();
  return { h, c };
}

/** Sends bytes on a data connection and closes it (the end of an upload in stream mode). */
async function upload(h: Harness, data: Connection, bytes: string | Uint8Array): Promise<void> {
  data.write(bytes);
  data.close();
  await h.reactor.flush();
}

test('RETR sends the file; 125 when the data connection is open already, then 226', async () => {
  const { h, c } = await session();
  h.fs.addFile('/a.bin', 'one\ntwo\n');
  const data = await withData(h, c);
  await h.reactor.flush();
  await c.command('TYPE I');
  const text = readAll(data);
  const replies = await c.command('RETR a.bin');
  assert.is(await text, 'one\ntwo\n');
  assert.equal(
    [...replies, ...c.replies()].map((reply) => `${reply.code} ${reply.text}`),
    ['125 Opening BINARY mode data connection for a.bin (8 bytes).', '226 Transfer complete.'],
  );
  await c.command('QUIT');
});

test('RETR waits for a passive connection that comes after it (150), TYPE A adds CRs', async () => {
  const { h, c } = await session();
  h.fs.addFile('/a.txt', 'one\ntwo\r\nthree\n');
  const port = await c.passive();
  await c.send('RETR a.txt\r\n');
  assert.equal(c.replies(), [], 'nothing until the data connection comes');
  const text = readAll(dataConnection(h.reactor, port));
  assert.is(await text, 'one\r\ntwo\r\nthree\r\n');
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [150, 226],
  );
  await c.command('QUIT');
});

test('REST then RETR resumes at the offset; an offset past the end is 554', async () => {
  const { h, c } = await session();
  h.fs.addFile('/a.bin', '0123456789');
  await c.command('TYPE I');
  assert.equal(await c.codes('REST 4'), [350]);
  let text = readAll(await withData(h, c));
  await c.command('RETR a.bin');
  assert.is(await text, '456789');
  await h.reactor.flush();
  c.replies();
  await c.command('REST 11');
  await withData(h, c);
  assert.equal(await c.codes('RETR a.bin'), [554]);
  text = readAll(await withData(h, c));
  await c.command('RETR a.bin');
  assert.is(await text, '0123456789', 'REST applies to one transfer only');
  await c.command('QUIT');
});

test('RETR of a folder or a missing file is 550, and no data connection is waited for', async () => {
  const { h, c } = await session();
  h.fs.addDirectory('/d');
  await c.passive();
  assert.equal(await c.codes('RETR d'), [550]);
  assert.equal(await c.codes('RETR missing'), [550]);
  assert.equal(await c.codes('RETR'), [501]);
  await c.command('QUIT');
});

test('a transfer command without PASV, EPSV, PORT or EPRT first is 425', async () => {
  const { h, c } = await session();
  h.fs.addFile('/a', 'x');
  for (const line of ['RETR a', 'LIST', 'STOR b', 'NLST', 'MLSD'])
    assert.equal(await c.codes(line), [425], line);
  assert.equal(h.fs.contents('/b'), undefined);
  await c.command('QUIT');
});

test('STOR stores the upload, 226 once it is committed; TYPE A turns CR LF into LF', async () => {
  const { h, c } = await session();
  await c.command('TYPE I');
  let data = await withData(h, c);
  assert.equal(await c.codes('STOR up.bin'), [125]);
  await upload(h, data, 'a\r\nb\r\n');
  assert.equal(
    c.replies().map((reply) => reply.code),
    [226],
  );
  assert.is(Buffer.from(h.fs.contents('/up.bin')!).toString(), 'a\r\nb\r\n');
  await c.command('TYPE A');
  data = await withData(h, c);
  await c.command('STOR up.txt');
  data.write('a\r');
  await h.reactor.flush();
  await upload(h, data, '\nb\r\nlone\rcr\r');
  assert.equal(
    c.replies().map((reply) => reply.code),
    [226],
  );
  assert.is(Buffer.from(h.fs.contents('/up.txt')!).toString(), 'a\nb\nlone\rcr\r');
  await c.command('QUIT');
});

test('APPE appends, STOU picks a free name and says it, REST then STOR keeps the bytes before', async () => {
  const { h, c } = await session();
  h.fs.addFile('/log', 'one\n');
  await c.command('TYPE I');
  let data = await withData(h, c);
  await c.command('APPE log');
  await upload(h, data, 'two\n');
  assert.is(Buffer.from(h.fs.contents('/log')!).toString(), 'one\ntwo\n');
  c.replies();
  data = await withData(h, c);
  const [mark] = await c.command('STOU log');
  await upload(h, data, 'new');
  const name = /^FILE: (.+)$/.exec(mark!.text)?.[1];
  assert.ok(name !== undefined && name !== 'log', mark!.text);
  assert.is(Buffer.from(h.fs.contents(`/${name}`)!).toString(), 'new');
  assert.is(Buffer.from(h.fs.contents('/log')!).toString(), 'one\ntwo\n');
  c.replies();
  await c.command('REST 3');
  data = await withData(h, c);
  await c.command('STOR log');
  await upload(h, data, '!');
  assert.is(Buffer.from(h.fs.contents('/log')!).toString(), 'one!');
  await c.command('QUIT');
});

test('an upload cut off (the data connection reset) answers 426 and leaves nothing under its name', async () => {
  const { h, c } = await session();
  h.fs.addFile('/keep.txt', 'old');
  const data = await withData(h, c);
  await c.command('STOR new.txt');
  data.write('partial');
  await h.reactor.flush();
  data.abort();
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [426],
  );
  assert.is(h.fs.contents('/new.txt'), undefined);
  const again = await withData(h, c);
  await c.command('STOR keep.txt');
  again.write('partial');
  await h.reactor.flush();
  again.abort();
  await h.reactor.flush();
  assert.is(Buffer.from(h.fs.contents('/keep.txt')!).toString(), 'old', 'the old file stays whole');
  assert.is(h.fs.used, 3, 'the temporary copy is gone');
  assert.equal(await c.codes('NOOP'), [426, 200]);
  await c.command('QUIT');
});

test('a failed write (the disk full) answers 452 and leaves no file', async () => {
  const { h, c } = await session({}, { capacity: 10 });
  const data = await withData(h, c);
  await c.command('STOR big.bin');
  await upload(h, data, 'x'.repeat(100));
  assert.equal(
    c.replies().map((reply) => reply.code),
    [452],
  );
  assert.is(h.fs.contents('/big.bin'), undefined);
  assert.is(h.fs.used, 0);
  assert.equal(await c.codes('NOOP'), [200]);
  await c.command('QUIT');
});

test('a commit that fails answers 451; an injected write failure of kind io 451 too', async () => {
  const { h, c } = await session();
  const { FtpFileSystemError } = await import('../../../protocols/ftp/file-system-error.js');
  h.fs.failNext('commit', new FtpFileSystemError('io', '/a'));
  const data = await withData(h, c);
  await c.command('STOR a');
  await upload(h, data, 'abc');
  assert.equal(
    c.replies().map((reply) => reply.code),
    [451],
  );
  assert.is(h.fs.contents('/a'), undefined);
  await c.command('QUIT');
});

test('LIST, NLST and MLSD send the listing on the data connection; LIST takes ls options; MLSD of a file is 501', async () => {
  const { h, c } = await session();
  h.fs.addFile('/pub/a.txt', 'hello', { modified: new Date(Date.UTC(2024, 0, 2, 15, 4, 5)) });
  h.fs.addDirectory('/pub/sub', { modified: new Date(Date.UTC(2024, 0, 2, 15, 4, 5)) });
  let text = readAll(await withData(h, c));
  await c.command('LIST -la /pub');
  assert.is(
    await text,
    '-rw-r--r--   1 ftp      ftp             5 Jan 02  2024 a.txt\r\ndrwxr-xr-x   1 ftp      ftp          4096 Jan 02  2024 sub\r\n',
  );
  text = readAll(await withData(h, c));
  await c.command('NLST /pub');
  assert.is(await text, 'a.txt\r\nsub\r\n');
  text = readAll(await withData(h, c));
  await c.command('MLSD /pub');
  assert.is(
    await text,
    'type=file;size=5;modify=20240102150405;perm=radfw;unix.mode=0644; a.txt\r\ntype=dir;size=4096;modify=20240102150405;perm=elcdfmp;unix.mode=0755; sub\r\n',
  );
  text = readAll(await withData(h, c));
  await c.command('LIST /pub/a.txt');
  assert.match(await text, / a\.txt\r\n$/);
  await withData(h, c);
  assert.equal(await c.codes('MLSD /pub/a.txt'), [501]);
  await h.reactor.flush();
  await c.command('QUIT');
});

test('no data connection within dataConnectTimeout: 425, and the listener is gone', async () => {
  const { h, c } = await session({ dataConnectTimeout: 30 });
  h.fs.addFile('/a', 'x');
  const port = await c.passive();
  await c.send('RETR a\r\n');
  h.clock.advance(29);
  assert.equal(c.replies(), []);
  h.clock.advance(1);
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [425],
  );
  assert.throws(() => dataConnection(h.reactor, port), /nothing listens/);
  await c.command('QUIT');
});

test('PASV names passiveAddress and a port of the range, in turn', async () => {
  const { h, c } = await session({ passiveAddress: '203.0.113.7', passivePorts: [50100, 50101] });
  const [first] = await c.command('PASV');
  assert.is(first?.text, 'Entering Passive Mode (203,0,113,7,195,180)');
  const [second] = await c.command('PASV');
  assert.is(second?.text, 'Entering Passive Mode (203,0,113,7,195,181)');
  assert.equal(await c.codes('EPSV'), [229]);
  assert.is([...h.reactor.servers].length, 1, 'each new channel closes the one before');
  assert.equal(await c.codes('EPSV ALL'), [200]);
  assert.equal(await c.codes('PASV'), [501]);
  assert.equal(await c.codes('PORT 127,0,0,1,200,1'), [501]);
  assert.equal(await c.codes('EPRT |1|127.0.0.1|51200|'), [501]);
  await c.command('QUIT');
  assert.is([...h.reactor.servers].length, 0);
});

/** Listens on the memory reactor where an active data connection goes; its connections, as they come. */
function activeTarget(h: Harness, port: number): Connection[] {
  const arrived: Connection[] = [];
  h.reactor
    .listenStream({ type: 'tcp', port })
    .connections$.subscribe((connection) => arrived.push(connection));
  return arrived;
}

test('PORT and EPRT to the client itself: the server connects there for the transfer', async () => {
  const { h, c } = await session();
  h.fs.addFile('/a', 'active');
  const arrived = activeTarget(h, 51000);
  assert.equal(await c.codes('PORT 127,0,0,1,199,56'), [200]);
  await c.send('RETR a\r\n');
  assert.is(arrived.length, 1);
  assert.is(await readAll(arrived[0]!), 'active');
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [150, 226],
  );
  assert.equal(await c.codes('EPRT |1|127.0.0.1|51000|'), [200]);
  await c.send('RETR a\r\n');
  assert.is(await readAll(arrived[1]!), 'active');
  await c.command('QUIT');
  for (const server of h.reactor.servers) await server.close();
});

test('an IPv4 client seen as ::ffff:127.0.0.1 may PORT to 127.0.0.1', async () => {
  const h = harness();
  const c = h.connect({ ...clientAddress, host: '::ffff:127.0.0.1', family: 'IPv6' });
  await c.login();
  assert.equal(await c.codes('PORT 127,0,0,1,200,1'), [200]);
  assert.equal(await c.codes('EPRT |1|127.0.0.1|51201|'), [200]);
  assert.equal(await c.codes('PORT 127,0,0,2,200,1'), [501]);
  await c.command('QUIT');
});

test('ABOR during RETR: the transfer stops (426), then ABOR gets 226', async () => {
  const { h, c } = await session();
  h.fs.addFile('/big', new Uint8Array(4 * 1024 * 1024));
  await c.command('TYPE I');
  const data = await withData(h, c);
  await h.reactor.flush();
  assert.equal(await c.codes('RETR big'), [125]);
  // the client reads nothing: the transfer is held by backpressure
  assert.equal(await c.codes('ABOR'), [426, 226]);
  assert.ok(await data.closed);
  assert.equal(await c.codes('NOOP'), [200]);
  await c.command('QUIT');
});

test('STAT during a transfer answers at once; other commands wait for the 226', async () => {
  const { h, c } = await session();
  h.fs.addFile('/a', 'x');
  const port = await c.passive();
  await c.send('RETR a\r\nNOOP\r\nSTAT\r\n');
  const replies = c.replies();
  assert.equal(
    replies.map((reply) => reply.code),
    [211],
  );
  assert.match(replies[0]!.text, /A transfer is in progress/);
  await readAll(dataConnection(h.reactor, port));
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [150, 226, 200],
  );
  await c.command('QUIT');
});

test('RETR pulls the file only as fast as the data connection drains', async () => {
  const memory = new MemoryFileSystem({ readChunkSize: 16 * 1024 });
  memory.addFile('/big', new Uint8Array(2 * 1024 * 1024));
  let pulled = 0;
  const counting: FtpFileSystem = Object.assign(Object.create(memory) as FtpFileSystem, {
    read: (path: string, options?: { offset?: number }) =>
      memory.read(path, options).addCallback((reader: FtpFileReader): FtpFileReader => {
        const iterator = reader[Symbol.asyncIterator]();
        return {
          size: reader.size,
          close: () => reader.close(),
          [Symbol.asyncIterator]: () => ({
            next: () => {
              pulled++;
              return iterator.next();
            },
            return: () => iterator.return!(),
          }),
        };
      }),
  });
  const h = harness({ fileSystem: counting });
  const c = h.connect();
  await c.login();
  await c.command('TYPE I');
  const data = await withData(h, c);
  assert.equal(await c.codes('RETR big'), [125]);
  await h.reactor.flush();
  assert.ok(pulled > 0 && pulled < 16, `pulled ${pulled} chunks of 128 while nobody reads`);
  const all = await readAll(data);
  assert.is(all.length, 2 * 1024 * 1024);
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [226],
  );
  await c.command('QUIT');
});

test('STOR pauses the data connection while the upload is behind, and resumes it when it drains', async () => {
  const memory = new MemoryFileSystem();
  let accepted = 0;
  let paused: Pausable | undefined;
  const drains: Deferred<void>[] = [];
  const slow: FtpFileSystem = Object.assign(Object.create(memory) as FtpFileSystem, {
    write: (path: string) =>
      memory.write(path).addCallback(
        (real: FtpFileWriter): FtpFileWriter => ({
          path: real.path,
          write(chunk: Uint8Array | string) {
            accepted += chunk.length;
            real.write(chunk);
            if (accepted < 64 * 1024) return true;
            paused = activeProducer();
            paused?.pauseProducing();
            return false;
          },
          drained() {
            const drain = new Deferred<void>();
            drains.push(drain);
            return drain;
          },
          commit: () => real.commit(),
          abort: () => real.abort(),
        }),
      ),
  });
  const h = harness({ fileSystem: slow });
  const c = h.connect();
  await c.login();
  const data = await withData(h, c);
  assert.equal(await c.codes('STOR slow.bin'), [125]);
  const chunk = new Uint8Array(16 * 1024);
  let sent = 0;
  const send = (): boolean => {
    sent += chunk.length;
    return data.write(chunk);
  };
  while (sent < 1024 * 1024 && send()) {}
  for (let round = 0; round < 8; round++) {
    await h.reactor.flush();
    send();
  }
  await h.reactor.flush();
  assert.ok(paused !== undefined, 'the data connection was paused');
  assert.ok(accepted < 128 * 1024, `the upload took ${accepted} bytes while behind`);
  assert.ok(sent < 1024 * 1024, 'the client is held back too');
  accepted = -Infinity; // never behind again
  paused!.resumeProducing();
  data.close();
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [226],
  );
  assert.is(memory.contents('/slow.bin')!.byteLength, sent);
  await c.command('QUIT');
});

test('a stalled transfer is cut off after dataTimeout with 426', async () => {
  const { h, c } = await session({ dataTimeout: 20 });
  const data = await withData(h, c);
  await c.command('STOR slow');
  data.write('a');
  await h.reactor.flush();
  h.clock.advance(15);
  data.write('b');
  await h.reactor.flush();
  h.clock.advance(15);
  assert.equal(c.replies(), []);
  h.clock.advance(5);
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [426],
  );
  assert.is(h.fs.contents('/slow'), undefined);
  await c.command('QUIT');
});

test('QUIT during a transfer is answered after it; the control connection closing aborts it', async () => {
  const { h, c } = await session();
  const data = await withData(h, c);
  await c.command('STOR f');
  await c.send('QUIT\r\n');
  assert.equal(c.replies(), []);
  await upload(h, data, 'done');
  assert.equal(
    c.replies().map((reply) => reply.code),
    [226, 221],
  );
  assert.is(Buffer.from(h.fs.contents('/f')!).toString(), 'done');
  const other = h.connect();
  await other.login();
  const second = await withData(h, other);
  await other.command('STOR g');
  second.write('part');
  await h.reactor.flush();
  other.transport.loseConnection();
  await h.reactor.flush();
  assert.ok(await second.closed);
  assert.is(h.fs.contents('/g'), undefined);
  assert.is([...h.reactor.servers].length, 0);
});

test.run();
