import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../../source/clock.js';
import { connect, listen } from '../../../source/endpoints.js';
import { CannotListenError, ConnectionRefusedError } from '../../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../../source/log.js';
import { protocol } from '../../../source/protocol.js';
import { Reactor } from '../../../source/reactor.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { rejectionOf } from '../../support/failure-of.js';

/** The reactor of the listen-failure tests: the check closes what a failed test left on it. */
const reactor = new Reactor({ clock: new Clock() as never });
const test = checkClean(suite('source/transports/unix'), { reactors: [reactor] });

/** Collects log records until `stop()`. */
function captureLogs() {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => records.push(record));
  return { records, stop: () => subscription.unsubscribe() };
}
const dir = mkdtempSync(join(tmpdir(), 'spindle-unix-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('listens on a Unix socket with the given mode and echoes through it', async () => {
  const path = join(dir, 'echo.sock');
  const server = listen(
    `unix:${path}:mode=600`,
    protocol((conn) => conn.data$.subscribe(conn)),
  );
  assert.equal(await server.address, { type: 'unix', path });
  assert.is(statSync(path).mode & 0o777, 0o600);
  const client = await connect(`unix:path=${path}`);
  assert.equal(client.remoteAddress, { type: 'unix', path });
  const reply = firstValueFrom(client.data$.pipe(toArray()));
  client.write('over unix');
  client.end();
  assert.is(Buffer.concat(await reply).toString(), 'over unix');
  await server.close();
  assert.not.ok(existsSync(path), 'the socket file is removed on close');
});

test('a stale socket file is replaced; a live one is not', async () => {
  const path = join(dir, 'stale.sock');
  // A server that crashed: killed while listening, its socket file left behind.
  spawnSync(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  assert.ok(existsSync(path));
  const server = listen(
    `unix:${path}`,
    protocol((conn) => conn.data$.subscribe(conn)),
  );
  assert.equal(await server.address, { type: 'unix', path });
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((record) => records.push(record));
  const second = listen(
    `unix:${path}`,
    protocol(() => {}),
  );
  await second.closed;
  logging.unsubscribe();
  assert.is(records.length, 1, 'the live socket is left alone: listening on it fails, once');
  try {
    await second.address;
    assert.unreachable();
  } catch (error) {
    assert.instance(error, CannotListenError);
    assert.is((error as CannotListenError).reason, 'EADDRINUSE');
  }
  await server.close();
});

test('a path in use is a CannotListenError, logged once; the failed server is closed and forgotten', async () => {
  const path = join(dir, 'taken.sock');
  const first = listen(
    `unix:${path}`,
    protocol(() => {}),
    { reactor },
  );
  await first.address;
  const logs = captureLogs();
  const second = listen(
    `unix:${path}`,
    protocol(() => {}),
    { reactor },
  );
  await second.closed;
  logs.stop();
  const message = `cannot listen on unix:${path}: the address is in use by another server (EADDRINUSE)`;
  assert.equal(
    logs.records.map((record) => `${record.level} ${record.message}`),
    [`error ${message}`],
  );
  const failure = await rejectionOf(second.address);
  assert.instance(failure, CannotListenError);
  assert.is(failure.message, message);
  assert.equal([...reactor.servers], [first]);
  await first.close();
  assert.is(reactor.servers.size, 0);
});

test('a folder on the path that does not exist is a CannotListenError naming it; the server is closed and forgotten', async () => {
  const logs = captureLogs();
  const server = listen(
    'unix:/nonexistent/dir/sock',
    protocol(() => {}),
    { reactor },
  );
  logs.stop();
  assert.ok(server.closed.called, 'closed at once: nothing was bound');
  try {
    await server.address;
    assert.unreachable();
  } catch (error) {
    assert.instance(error, CannotListenError);
    assert.is(
      (error as Error).message,
      'cannot listen on unix:/nonexistent/dir/sock: the folder "/nonexistent/dir" does not exist',
    );
    assert.is((error as CannotListenError).reason, 'ENOENT');
  }
  assert.equal(
    logs.records.map((record) => `${record.level} ${record.message}`),
    ['error cannot listen on unix:/nonexistent/dir/sock: the folder "/nonexistent/dir" does not exist'],
  );
  assert.not.ok(reactor.servers.has(server));
});

test('connecting to a path nobody listens on errbacks with ConnectionRefusedError', async () => {
  try {
    await connect(`unix:${join(dir, 'nobody.sock')}`);
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof ConnectionRefusedError, String(error));
  }
});

test.run();
