import { EmptyError, finalize, of, Subject, throwError } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../source/clock.js';
import { Deferred, fail, maybeDeferred, succeed } from '../../source/deferred.js';
import {
  AlreadyCalledError,
  CancelledError,
  NonErrorThrownError,
  TimeoutError,
} from '../../source/errors.js';
import { Failure } from '../../source/failure.js';
import { type LogRecord, logRecords$ } from '../../source/log.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { collectGarbage } from '../support/gc.js';

const test = checkClean(suite('source/deferred'));

class CustomError extends Error {}

/** Handles a Deferred's failure so the GC-time report does not fire for it. */
const swallow = (d: Deferred<unknown>) => d.addErrback(() => undefined);

test('a callback return value feeds the next callback', () => {
  const d = new Deferred<number>();
  const seen: number[] = [];
  d.addCallback((x) => x + 1)
    .addCallback((x) => x * 10)
    .addCallback((x) => {
      seen.push(x);
    });
  assert.equal(seen, []);
  d.callback(1);
  assert.equal(seen, [20]);
  assert.ok(d.called);
});

test('a throw switches to the errback path and an errback that returns switches back', () => {
  const d = new Deferred<number>();
  const path: string[] = [];
  d.addCallback(() => {
    path.push('cb1');
    throw new CustomError('boom');
  })
    .addCallback(() => path.push('skipped'))
    .addErrback((f) => {
      path.push(`eb:${f.value.message}`);
      return 7;
    })
    .addCallback((x) => path.push(`cb2:${x}`));
  d.callback(0);
  assert.equal(path, ['cb1', 'eb:boom', 'cb2:7']);
});

test('errbacks receive a Failure wrapping the original error', () => {
  const error = new CustomError('x');
  let got: Failure | undefined;
  fail(error).addErrback((f) => {
    got = f;
  });
  assert.ok(got instanceof Failure);
  assert.is(got?.value, error);
  assert.is(got?.type, CustomError);
  assert.is(got?.getErrorMessage(), 'Error: x');
  assert.ok(got?.getTraceback().includes('deferred.test'));
  assert.is(String(got), '[Failure Error: x]');
});

test('a non-Error passed to errback is wrapped, keeping the value', () => {
  let got: Failure | undefined;
  fail('plain string').addErrback((f) => {
    got = f;
  });
  assert.ok(got?.value instanceof NonErrorThrownError);
  assert.is((got!.value as NonErrorThrownError).thrown, 'plain string');
  assert.match(got?.value.message ?? '', '"plain string"');
});

test('a Failure passed to errback goes on as it is', () => {
  const failure = new Failure(new CustomError('y'));
  let got: Failure | undefined;
  fail(failure).addErrback((f) => {
    got = f;
  });
  assert.is(got, failure);
});

test('check finds the matching type; trap returns it or rethrows the same failure', () => {
  const d = fail(new CancelledError());
  let checked: unknown;
  let trapped: unknown;
  const order: string[] = [];
  d.addErrback((f) => {
    checked = f.check(TimeoutError, CancelledError);
    assert.is(f.check(TimeoutError), undefined);
    f.trap(TimeoutError);
    order.push('not reached');
  }).addErrback((f) => {
    trapped = f.trap(TimeoutError, CancelledError);
    order.push('trapped');
  });
  assert.is(checked, CancelledError);
  assert.is(trapped, CancelledError);
  assert.equal(order, ['trapped']);
});

test('trap rethrows the very same Failure down the chain', () => {
  const first: Failure[] = [];
  const d = fail(new CustomError('z'));
  d.addErrback((f) => {
    first.push(f);
    f.trap(TimeoutError);
  }).addErrback((f) => {
    first.push(f);
  });
  assert.is(first[0], first[1]);
});

test('addCallbacks puts both at one level: the errback does not see the callback throw', () => {
  const path: string[] = [];
  const d = succeed(1);
  d.addCallbacks(
    () => {
      throw new CustomError('in cb');
    },
    () => path.push('same-level eb'),
  ).addErrback((f) => {
    path.push(`next eb:${f.value.message}`);
  });
  assert.equal(path, ['next eb:in cb']);
  const e: string[] = [];
  fail(new CustomError('e')).addCallbacks(
    () => e.push('cb'),
    (f) => e.push(`eb:${f.value.message}`),
  );
  assert.equal(e, ['eb:e']);
});

test('addCallbacks without errback lets a failure pass', () => {
  const d = fail(new CustomError('pass'));
  d.addCallbacks(() => 1);
  let msg = '';
  d.addErrback((f) => {
    msg = f.value.message;
  });
  assert.is(msg, 'pass');
});

test('addBoth sees results and failures', () => {
  const seen: unknown[] = [];
  succeed(5).addBoth((r) => seen.push(r));
  fail(new CustomError('b')).addBoth((r) => {
    seen.push(r instanceof Failure ? r.value.message : r);
  });
  assert.equal(seen, [5, 'b']);
});

test('adding a callback to a fired Deferred runs it at once, synchronously', () => {
  const d = succeed('now');
  let ran = false;
  d.addCallback(() => {
    ran = true;
  });
  assert.ok(ran);
});

test('firing twice throws AlreadyCalledError', () => {
  const d = succeed(1);
  assert.throws(
    () => d.callback(2),
    (e: unknown) => e instanceof AlreadyCalledError,
  );
  assert.throws(
    () => d.errback(new Error('x')),
    (e: unknown) => e instanceof AlreadyCalledError,
  );
});

test('firing with a Deferred is a TypeError', () => {
  const d = new Deferred<unknown>();
  assert.throws(() => d.callback(new Deferred()), TypeError);
});

test('a callback returning a pending Deferred pauses the chain until it fires', () => {
  const inner = new Deferred<string>();
  const outer = succeed(1);
  const seen: unknown[] = [];
  outer.addCallback(() => inner).addCallback((v) => seen.push(v));
  assert.equal(seen, []);
  assert.ok(outer.paused);
  inner.callback('inner result');
  assert.equal(seen, ['inner result']);
  assert.not.ok(outer.paused);
});

test('a callback returning a fired Deferred continues with its result at once', () => {
  const inner = succeed('ready');
  const seen: unknown[] = [];
  succeed(0)
    .addCallback(() => inner)
    .addCallback((v) => seen.push(v));
  assert.equal(seen, ['ready']);
});

test('a failure of a returned Deferred continues down the errback path and is handled there', async () => {
  const inner = new Deferred<string>();
  const seen: string[] = [];
  succeed(0)
    .addCallback(() => inner)
    .addErrback((f) => seen.push(f.value.message));
  inner.errback(new CustomError('inner failed'));
  assert.equal(seen, ['inner failed']);
});

test('a callback returning a promise pauses the chain until it settles', async () => {
  const seen: unknown[] = [];
  const d = succeed(1)
    .addCallback((x) => Promise.resolve(x + 1))
    .addCallback((x) => seen.push(x));
  assert.equal(seen, []);
  await d;
  assert.equal(seen, [2]);
  const rejected = succeed(1).addCallback(() => Promise.reject(new CustomError('rejected')));
  const message = await rejected.then(
    () => 'resolved',
    (e) => (e as Error).message,
  );
  assert.is(message, 'rejected');
});

test('pause and unpause hold and release the chain', () => {
  const d = new Deferred<number>();
  const seen: number[] = [];
  d.addCallback((x) => seen.push(x));
  d.pause();
  d.callback(3);
  assert.equal(seen, []);
  d.unpause();
  assert.equal(seen, [3]);
  d.unpause();
  assert.not.ok(d.paused);
});

test('chainDeferred feeds the result into another Deferred', () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const seen: number[] = [];
  b.addCallback((x) => seen.push(x));
  a.chainDeferred(b);
  a.callback(9);
  assert.equal(seen, [9]);
  const c = new Deferred<number>();
  let message = '';
  c.addErrback((f) => {
    message = f.value.message;
  });
  fail<number>(new CustomError('chained')).chainDeferred(c);
  assert.is(message, 'chained');
});

test('cancel without canceller errbacks with CancelledError, then ignores one late callback', () => {
  const d = new Deferred<number>();
  let caught: unknown;
  d.addErrback((f) => {
    caught = f.trap(CancelledError);
  });
  d.cancel();
  assert.is(caught, CancelledError);
  d.callback(1); // the cancelled operation completing late: silently ignored once
  assert.throws(
    () => d.callback(2),
    (e: unknown) => e instanceof AlreadyCalledError,
  );
});

test('cancel runs the canceller, which may fire the Deferred itself', () => {
  const d = new Deferred<string>((self) => self.callback('cancelled nicely'));
  const seen: string[] = [];
  d.addCallback((v) => seen.push(v));
  d.cancel();
  assert.equal(seen, ['cancelled nicely']);
});

test('a canceller that does not fire leaves CancelledError', () => {
  let ran = 0;
  const d = new Deferred<string>(() => {
    ran++;
  });
  let trapped = false;
  d.addErrback((f) => {
    f.trap(CancelledError);
    trapped = true;
  });
  d.cancel();
  assert.is(ran, 1);
  assert.ok(trapped);
  assert.throws(
    () => d.callback('late'),
    (e: unknown) => e instanceof AlreadyCalledError,
  );
});

test('cancel on a fired Deferred does nothing', () => {
  let ran = false;
  const d = new Deferred<number>(() => {
    ran = true;
  });
  d.callback(1);
  d.cancel();
  assert.not.ok(ran);
  let value = 0;
  d.addCallback((v) => {
    value = v;
  });
  assert.is(value, 1);
});

test('cancelling a Deferred waiting on another cancels that one', () => {
  let innerCancelled = false;
  const inner = new Deferred<number>(() => {
    innerCancelled = true;
  });
  const outer = succeed(0).addCallback(() => inner);
  let trapped = false;
  outer.addErrback((f) => {
    f.trap(CancelledError);
    trapped = true;
  });
  outer.cancel();
  assert.ok(innerCancelled);
  assert.ok(trapped);
});

test('addTimeout errbacks with TimeoutError once the time passes, and cancels the operation', () => {
  const clock = new Clock();
  let cancelled = false;
  const d = new Deferred<number>(() => {
    cancelled = true;
  });
  let error: unknown;
  d.addTimeout(5, clock).addErrback((f) => {
    error = f.value;
  });
  clock.advance(4.9);
  assert.is(error, undefined);
  clock.advance(0.1);
  assert.ok(cancelled);
  assert.ok(error instanceof TimeoutError);
  assert.is((error as TimeoutError).seconds, 5);
  assert.ok((error as TimeoutError).cause instanceof CancelledError);
});

test('addTimeout: a result in time cancels the timer and passes through', () => {
  const clock = new Clock();
  const d = new Deferred<number>();
  d.addTimeout(5, clock);
  d.callback(3);
  assert.is(clock.getDelayedCalls().length, 0);
  let value = 0;
  d.addCallback((v) => {
    value = v;
  });
  assert.is(value, 3);
  const failing = new Deferred<number>();
  failing.addTimeout(5, clock);
  failing.errback(new CustomError('own failure'));
  let message = '';
  failing.addErrback((f) => {
    message = f.value.message;
  });
  assert.is(message, 'own failure');
  assert.is(clock.getDelayedCalls().length, 0);
});

test('addTimeout: onTimeout decides the result; a canceller that fires with a value keeps it', () => {
  const clock = new Clock();
  const d = new Deferred<string>();
  let value = '';
  d.addTimeout(2, clock, (result, seconds) => `gave up after ${seconds}s (${result instanceof Failure})`);
  d.addCallback((v) => {
    value = v;
  });
  clock.advance(2);
  assert.is(value, 'gave up after 2s (true)');
  const polite = new Deferred<string>((self) => self.callback('partial'));
  let politeValue = '';
  polite.addTimeout(1, clock).addCallback((v) => {
    politeValue = v;
  });
  clock.advance(1);
  assert.is(politeValue, 'partial');
});

test('signal() aborts with CancelledError when the Deferred is cancelled', () => {
  const d = new Deferred<number>();
  const signal = d.signal();
  assert.is(d.signal(), signal);
  assert.not.ok(signal.aborted);
  swallow(d);
  d.cancel();
  assert.ok(signal.aborted);
  assert.ok(signal.reason instanceof CancelledError);
  assert.ok(d.signal().aborted);
});

test('signal() asked after cancel is already aborted; a normal result never aborts it', () => {
  const d = new Deferred<number>();
  swallow(d);
  d.cancel();
  assert.ok(d.signal().aborted);
  const ok = new Deferred<number>();
  const signal = ok.signal();
  ok.callback(1);
  ok.cancel();
  assert.not.ok(signal.aborted);
});

test('cancelling a chained Deferred aborts its signal too', () => {
  const inner = new Deferred<number>();
  const outer = succeed(0).addCallback(() => inner);
  const signal = outer.signal();
  swallow(outer);
  outer.cancel();
  assert.ok(signal.aborted);
});

test('await gives the result and leaves the chain result unchanged', async () => {
  const d = new Deferred<number>();
  setImmediate(() => d.callback(41));
  assert.is(await d, 41);
  let later = 0;
  d.addCallback((x) => {
    later = x + 1;
  });
  assert.is(later, 42);
});

test('await rejects with the original error, not the Failure, and keeps the failure in the chain', async () => {
  const error = new CustomError('await me');
  const d = fail<number>(error);
  try {
    await d;
    assert.unreachable();
  } catch (e) {
    assert.is(e, error);
  }
  let stillThere: unknown;
  d.addErrback((f) => {
    stillThere = f.value;
  });
  assert.is(stillThere, error);
});

test('toPromise resolves and rejects like the chain', async () => {
  assert.is(await succeed('p').toPromise(), 'p');
  const error = new CustomError('tp');
  await fail(error)
    .toPromise()
    .then(
      () => assert.unreachable(),
      (e) => assert.is(e, error),
    );
});

test('then passes results to its handlers like a promise', async () => {
  const n = await succeed(2).then((x) => x * 3);
  assert.is(n, 6);
});

test('toObservable emits the result then completes', async () => {
  const d = new Deferred<string>();
  const events: string[] = [];
  d.toObservable().subscribe({
    next: (v) => events.push(`next:${v}`),
    complete: () => events.push('complete'),
  });
  assert.equal(events, []);
  d.callback('v');
  assert.equal(events, ['next:v', 'complete']);
});

test('toObservable errors with the original error', () => {
  const error = new CustomError('obs');
  let got: unknown;
  fail(error)
    .toObservable()
    .subscribe({ error: (e) => (got = e) });
  assert.is(got, error);
});

test('unsubscribing from toObservable before the result cancels the Deferred', () => {
  let cancelled = false;
  const d = new Deferred<number>(() => {
    cancelled = true;
  });
  const subscription = d.toObservable().subscribe();
  subscription.unsubscribe();
  assert.ok(cancelled);
  let trapped = false;
  d.addErrback((f) => {
    f.trap(CancelledError);
    trapped = true;
  });
  assert.ok(trapped);
});

test('unsubscribing from toObservable after the result does not cancel', () => {
  let cancelled = false;
  const d = new Deferred<number>(() => {
    cancelled = true;
  });
  const subscription = d.toObservable().subscribe();
  d.callback(1);
  subscription.unsubscribe();
  assert.not.ok(cancelled);
});

test('fromPromise fires with the value or the rejection', async () => {
  assert.is(await Deferred.fromPromise(Promise.resolve(3)), 3);
  const error = new CustomError('fp');
  let got: unknown;
  await Deferred.fromPromise(Promise.reject(error)).addErrback((f) => {
    got = f.value;
  });
  assert.is(got, error);
});

test('fromPromise with a signal: abort cancels, and the late result is ignored', async () => {
  const controller = new AbortController();
  let resolve!: (v: number) => void;
  const d = Deferred.fromPromise(new Promise<number>((r) => (resolve = r)), { signal: controller.signal });
  let trapped = false;
  d.addErrback((f) => {
    f.trap(CancelledError);
    trapped = true;
  });
  controller.abort();
  assert.ok(trapped);
  resolve(1);
  await Promise.resolve();
  await Promise.resolve();
  assert.ok(d.called);
});

test('fromPromise with an already-aborted signal is cancelled at once', () => {
  const d = Deferred.fromPromise(new Promise<number>(() => {}), { signal: AbortSignal.abort() });
  let trapped = false;
  d.addErrback((f) => {
    f.trap(CancelledError);
    trapped = true;
  });
  assert.ok(trapped);
});

test('fromPromise stops listening to the signal once it fired', async () => {
  const controller = new AbortController();
  const d = Deferred.fromPromise(Promise.resolve(1), { signal: controller.signal });
  assert.is(await d, 1);
  controller.abort();
  let value = 0;
  d.addCallback((v) => {
    value = v;
  });
  assert.is(value, 1);
});

test('fromObservable fires with the first value and unsubscribes', () => {
  const subject = new Subject<number>();
  let finalized = false;
  const d = Deferred.fromObservable(subject.pipe(finalize(() => (finalized = true))));
  assert.not.ok(d.called);
  subject.next(1);
  subject.next(2);
  assert.ok(finalized);
  let value = 0;
  d.addCallback((v) => {
    value = v;
  });
  assert.is(value, 1);
});

test('fromObservable of a synchronous source fires at once', () => {
  let value = 0;
  Deferred.fromObservable(of(5, 6)).addCallback((v) => {
    value = v;
  });
  assert.is(value, 5);
});

test('fromObservable: completing empty errbacks with EmptyError, an error errbacks with it', () => {
  let empty: unknown;
  const subject = new Subject<number>();
  Deferred.fromObservable(subject).addErrback((f) => {
    empty = f.value;
  });
  subject.complete();
  assert.ok(empty instanceof EmptyError);
  const error = new CustomError('obs err');
  let got: unknown;
  Deferred.fromObservable(throwError(() => error)).addErrback((f) => {
    got = f.value;
  });
  assert.is(got, error);
});

test('cancelling fromObservable unsubscribes', () => {
  let finalized = false;
  const d = Deferred.fromObservable(new Subject<number>().pipe(finalize(() => (finalized = true))));
  swallow(d);
  d.cancel();
  assert.ok(finalized);
});

test('succeed and fail are already fired', () => {
  assert.ok(succeed(1).called);
  const f = fail(new Error('x'));
  assert.ok(f.called);
  swallow(f);
});

test('maybeDeferred wraps values, throws, Deferreds and promises', async () => {
  let v: unknown;
  maybeDeferred((a: number, b: number) => a + b, 1, 2).addCallback((x) => {
    v = x;
  });
  assert.is(v, 3);
  let caught: unknown;
  maybeDeferred(() => {
    throw new CustomError('thrown');
  }).addErrback((f) => {
    caught = f.value.message;
  });
  assert.is(caught, 'thrown');
  const d = new Deferred<number>();
  assert.is(
    maybeDeferred(() => d),
    d,
  );
  assert.is(await maybeDeferred(() => Promise.resolve('p')), 'p');
});

test('100,000 callbacks on one Deferred complete without overflowing the stack', () => {
  const d = new Deferred<number>();
  for (let i = 0; i < 100_000; i++) d.addCallback((x) => x + 1);
  d.callback(0);
  let value = 0;
  d.addCallback((x) => {
    value = x;
  });
  assert.is(value, 100_000);
});

test('a chain of 10,000 Deferreds each returned from the previous callback completes', () => {
  const count = 10_000;
  const ds = Array.from({ length: count }, () => new Deferred<number>());
  for (let i = 0; i < count - 1; i++) ds[i]!.addCallback(() => ds[i + 1]!);
  for (let i = 0; i < count - 1; i++) ds[i]!.callback(0);
  let value = 0;
  ds[0]!.addCallback((x) => {
    value = x;
  });
  assert.is(value, 0);
  ds[count - 1]!.callback(7);
  assert.is(value, 7);
});

test('a chain of 10,000 nested Deferreds resolving from the inside out completes', () => {
  const count = 10_000;
  const innermost = new Deferred<number>();
  let outer: Deferred<number> = innermost;
  for (let i = 0; i < count; i++) {
    const inner = outer;
    outer = succeed(0).addCallback(() => inner.addCallback((x) => x + 1));
  }
  let value = 0;
  outer.addCallback((x) => {
    value = x;
  });
  innermost.callback(0);
  assert.is(value, count);
});

test('an unhandled failure is reported on the log stream when the Deferred is collected', async () => {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((r) => records.push(r));
  (() => {
    fail(new CustomError('nobody handled me'));
  })();
  await collectGarbage();
  subscription.unsubscribe();
  const report = records.find((r) => r.message.includes('nobody handled me'));
  assert.ok(report, 'expected an Unhandled error in Deferred record');
  assert.is(report?.level, 'error');
  assert.is(report?.namespace, 'spindle.deferred');
  assert.match(report?.message ?? '', /^Unhandled error in Deferred/);
  assert.ok((report!.error as Failure).value instanceof CustomError);
});

test('handled, awaited or recovered failures are not reported', async () => {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((r) => records.push(r));
  await (async () => {
    swallow(fail(new CustomError('handled')));
    await fail(new CustomError('awaited')).then(undefined, () => undefined);
    const recovered = new Deferred<number>();
    recovered.addCallback(() => {
      throw new CustomError('recovered later');
    });
    recovered.callback(1);
    recovered.addErrback(() => 0);
    const stolen = fail<number>(new CustomError('stolen'));
    swallow(succeed(0).addCallback(() => stolen));
  })();
  await collectGarbage();
  subscription.unsubscribe();
  assert.equal(
    records.map((r) => r.message),
    [],
  );
});

test('the unhandled report comes after the callback that failed, not before', async () => {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((r) => records.push(r));
  const keep = new Deferred<number>();
  keep.addCallback(() => {
    throw new TimeoutError('late');
  });
  keep.callback(1);
  await collectGarbage();
  assert.equal(records, []);
  swallow(keep);
  subscription.unsubscribe();
});

test.run();
