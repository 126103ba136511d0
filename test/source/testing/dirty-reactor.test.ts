import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Address } from '../../../source/address.js';
import { Clock } from '../../../source/clock.js';
import { Deferred, fail, succeed } from '../../../source/deferred.js';
import { protocol } from '../../../source/protocol.js';
import { Reactor } from '../../../source/reactor.js';
import { connectedPair } from '../../../source/testing/connected-pair.js';
import {
  checkClean,
  DirtyReactorError,
  findLeftovers,
  type ReactorWithServers,
  type ServerLike,
  type TestHandler,
  type TestSuite,
  trackedClock,
} from '../../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../../source/testing/memory-reactor.js';
import { StringTransport } from '../../../source/testing/string-transport.js';

// This file's own tests run under the check too: each cleans up what it leaves, through findLeftovers.
const test = checkClean(suite('source/testing/dirty-reactor'));

/** A stand-in for a real server in a reactor's `servers` set. */
function fakeServer(address: Deferred<Address>) {
  const server = {
    address,
    closedWith: undefined as { gracePeriod?: number } | undefined,
    close(options?: { gracePeriod?: number }) {
      server.closedWith = options;
      return succeed(undefined);
    },
  };
  return server;
}

/** A reactor with the given servers, on `clock`. */
function reactorWith(clock: Clock, servers: ServerLike[]): ReactorWithServers {
  return {
    servers: new Set(servers),
    seconds: () => clock.seconds(),
    callLater: (delay, fn, ...args) => clock.callLater(delay, fn, ...args),
    getDelayedCalls: () => clock.getDelayedCalls(),
  };
}

test('finds nothing when nothing is left', async () => {
  assert.equal(await findLeftovers(), []);
  const clock = new Clock();
  assert.equal(await findLeftovers({ reactors: [new Reactor({ clock }), new MemoryReactor({ clock })] }), []);
});

test('finds a call left pending on a tracked clock, cancels it, then forgets the clock', async () => {
  const clock = trackedClock();
  let ran = false;
  clock.callLater(5, () => {
    ran = true;
  });
  clock.callLater(7.5, () => {});
  assert.equal(await findLeftovers(), ['2 delayed calls left pending on a clock (due at 5 s, 7.5 s)']);
  assert.equal(clock.getDelayedCalls(), []);
  clock.advance(10);
  assert.not.ok(ran);
  clock.callLater(1, () => {});
  assert.equal(await findLeftovers(), [], 'the clock is no longer tracked');
  assert.equal(await findLeftovers({ clocks: [clock] }), [
    '1 delayed call left pending on a clock (due at 11 s)',
  ]);
});

test('finds the connections and servers of test doubles left open, and closes them', async () => {
  const pair = connectedPair();
  const transport = new StringTransport();
  const reactor = new MemoryReactor();
  const server = reactor.listenStream(
    { type: 'tcp', port: 25 },
    {},
    protocol(() => {}),
  );
  const accepted = new StringTransport({ remoteAddress: { type: 'memory', name: 'x' } });
  server.accept(accepted);
  assert.equal((await findLeftovers({ reactors: [reactor] })).sort(), [
    'left open: MemoryServer on 0.0.0.0:25',
    'left open: StringTransport memory:local ↔ memory:peer',
    'left open: StringTransport memory:local ↔ memory:x',
    'left open: connectedPair client memory:client ↔ memory:server',
    'left open: connectedPair server memory:server ↔ memory:client',
  ]);
  await pair.flush();
  assert.not.ok(pair.client.writable || pair.server.writable);
  assert.ok(transport.aborted && accepted.aborted);
  assert.ok(server.closed.called);
  assert.equal(await findLeftovers({ reactors: [reactor] }), []);
});

test('a double closed by the test is not a leftover', async () => {
  const pair = connectedPair();
  const transport = new StringTransport();
  pair.server.data$.subscribe(); // reads, so it sees the client's close
  pair.client.close();
  transport.close();
  assert.equal(await findLeftovers(), [], 'flushes in-flight closes before looking');
});

test("finds a reactor's servers still listening and its pending calls, and closes them", async () => {
  const clock = new Clock();
  const known = fakeServer(succeed<Address>({ type: 'tcp', host: '127.0.0.1', port: 8080, family: 'IPv4' }));
  const pending = new Deferred<Address>();
  const unknown = fakeServer(pending);
  clock.callLater(30, () => {});
  assert.equal(await findLeftovers({ reactors: [reactorWith(clock, [known, unknown])] }), [
    'left open: server listening on 127.0.0.1:8080',
    'left open: server listening on an address not known yet',
    '1 delayed call left pending on a clock (due at 30 s)',
  ]);
  assert.equal(known.closedWith, { gracePeriod: 0 });
  assert.equal(unknown.closedWith, { gracePeriod: 0 });
  assert.equal(clock.getDelayedCalls(), []);
  pending.callback({ type: 'unix', path: '/tmp/s' });
  assert.equal(await pending, { type: 'unix', path: '/tmp/s' }, 'the address Deferred keeps its result');
});

test('finds a Deferred failure nobody handled', async () => {
  (() => {
    fail(new Error('nobody handled me'));
  })();
  const handled = fail(new Error('handled'));
  handled.addErrback(() => undefined);
  const leftovers = await findLeftovers();
  assert.is(leftovers.length, 1);
  assert.match(leftovers[0]!, /^Unhandled error in Deferred: .*nobody handled me$/);
});

test('skips the garbage collection when asked', async () => {
  (() => {
    fail(new Error('found later'));
  })();
  assert.equal(await findLeftovers({ collectGarbage: false }), []);
  const leftovers = await findLeftovers();
  assert.is(leftovers.length, 1);
  assert.match(leftovers[0]!, /found later$/);
});

test('reports memory connections that never stop talking', async () => {
  const { client, server } = connectedPair();
  client.data$.subscribe({ next: (chunk) => client.write(chunk), error: () => {} });
  server.data$.subscribe({ next: (chunk) => server.write(chunk), error: () => {} });
  client.write('ping');
  const leftovers = await findLeftovers();
  assert.equal(leftovers, [
    'memory connections still busy after 1000 turns of the event loop',
    'left open: connectedPair client memory:client ↔ memory:server',
    'left open: connectedPair server memory:server ↔ memory:client',
  ]);
  assert.equal(await findLeftovers(), []);
});

test('DirtyReactorError lists the leftovers and has a stable code', () => {
  const error = new DirtyReactorError(['left open: a', 'left open: b']);
  assert.is(error.code, 'SPINDLE_DIRTY_REACTOR');
  assert.equal(error.leftovers, ['left open: a', 'left open: b']);
  assert.is(error.message, 'the test left things behind:\n  - left open: a\n  - left open: b');
});

/**
 * A suite that runs its tests as uvu 0.5's runner does (hooks and all, including running the
 * after.each hooks again when a test or a hook fails), and reports each test's outcome.
 */
function fakeSuite() {
  type Entry = { name: string; handler: TestHandler<object> };
  const tests: Entry[] = [];
  const before: TestHandler<object>[] = [];
  const beforeEach: TestHandler<object>[] = [];
  const after: TestHandler<object>[] = [];
  const afterEach: TestHandler<object>[] = [];
  let queued = false;
  const registrar = (into: TestHandler<object>[], each: TestHandler<object>[]) =>
    Object.assign((hook: TestHandler<object>) => into.push(hook), {
      each: (hook: TestHandler<object>) => each.push(hook),
    });
  const suite: TestSuite<object> = Object.assign(
    (name: string, handler: TestHandler<object>) => tests.push({ name, handler }),
    {
      only: (name: string, handler: TestHandler<object>) => tests.push({ name: `only ${name}`, handler }),
      skip: () => tests.push({ name: 'skipped', handler: () => {} }),
      before: registrar(before, beforeEach),
      after: registrar(after, afterEach),
      run: () => {
        queued = true;
      },
    },
  );
  const execute = async (): Promise<string[]> => {
    assert.ok(queued, 'run() was called');
    const outcomes: string[] = [];
    for (const hook of before) await hook({});
    for (const { name, handler } of tests) {
      try {
        for (const hook of beforeEach) await hook({});
        await handler({});
        for (const hook of afterEach) await hook({});
        outcomes.push(`${name}: passed`);
      } catch (error) {
        try {
          for (const hook of afterEach) await hook({});
        } catch (again) {
          outcomes.push(`${name}: uvu would lose this report (${(again as Error).message})`);
          continue;
        }
        const text =
          error instanceof DirtyReactorError
            ? `dirty: ${error.leftovers.join('; ')}`
            : (error as Error).message;
        outcomes.push(`${name}: failed, ${text}`);
      }
    }
    for (const hook of after) await hook({});
    return outcomes;
  };
  return { suite, execute };
}

test('checkClean fails a passing test that leaves something behind, and only that test', async () => {
  const { suite: inner, execute } = fakeSuite();
  const checked = checkClean(inner, { collectGarbage: false });
  checked('clean', () => {});
  checked('leaves a timer', () => {
    trackedClock().callLater(1, () => {});
  });
  checked('clean again', async () => {});
  checked.run();
  assert.equal(await execute(), [
    'clean: passed',
    'leaves a timer: failed, dirty: 1 delayed call left pending on a clock (due at 1 s)',
    'clean again: passed',
  ]);
});

test('checkClean does not fail again a test that failed, but still cleans up after it', async () => {
  const { suite: inner, execute } = fakeSuite();
  const checked = checkClean(inner, { collectGarbage: false });
  checked('fails and leaves a connection', () => {
    new StringTransport();
    throw new Error('assertion failed');
  });
  checked('clean', () => {});
  checked.run();
  assert.equal(await execute(), ['fails and leaves a connection: failed, assertion failed', 'clean: passed']);
});

test("checkClean runs after the file's own after.each hooks, and never after one that failed", async () => {
  const { suite: inner, execute } = fakeSuite();
  const checked = checkClean(inner, { collectGarbage: false });
  let transport: StringTransport | undefined;
  let failHook = false;
  checked.after.each(() => {
    transport?.loseConnection();
    transport = undefined;
    if (failHook) {
      failHook = false;
      throw new Error('hook failed');
    }
  });
  const afterAll: string[] = [];
  checked.after(() => {
    afterAll.push('after');
  });
  checked.before.each(() => {});
  checked('cleaned up by the hook', () => {
    transport = new StringTransport();
  });
  checked('its hook fails, with a leftover', () => {
    failHook = true;
    trackedClock().callLater(1, () => {});
  });
  checked.only('focused', () => {});
  checked.skip('skipped', () => {});
  checked.run();
  assert.equal(await execute(), [
    'cleaned up by the hook: passed',
    'its hook fails, with a leftover: failed, hook failed',
    'only focused: passed',
    'skipped: passed',
  ]);
  assert.equal(afterAll, ['after']);
});

test('checkClean cleans up, silently, what was left before its suite started', async () => {
  const { suite: inner, execute } = fakeSuite();
  const checked = checkClean(inner, { collectGarbage: false });
  new StringTransport(); // left by an earlier, unchecked suite
  checked('clean', () => {});
  checked.run();
  assert.equal(await execute(), ['clean: passed']);
});

test.run();
