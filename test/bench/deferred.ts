/**
 * Deferred chains vs native Promise chains vs Twisted's Deferred: ns per chain of a new Deferred
 * (or promise) with three synchronous callbacks, fired once. Run: `npm run bench -- deferred`
 * (compiled by tsc: under tsx, esbuild's `keepNames` makes `instanceof Deferred` ~5x slower).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Deferred, succeed } from '../../source/deferred.js';
import { alternate, median, printSection, table } from './_report.js';

const chains = 1_000_000;
const rounds = 7;
const addOne = (x: number) => x + 1;
let sink = 0;
const consume = (x: number) => {
  sink = (sink + x) | 0;
  return x;
};

function deferredChains(): number {
  const start = performance.now();
  for (let i = 0; i < chains; i++) {
    const d = new Deferred<number>();
    d.addCallback(addOne).addCallback(addOne).addCallback(consume);
    d.callback(i);
  }
  return ((performance.now() - start) * 1e6) / chains;
}

function firedDeferredChains(): number {
  const start = performance.now();
  for (let i = 0; i < chains; i++) succeed(i).addCallback(addOne).addCallback(addOne).addCallback(consume);
  return ((performance.now() - start) * 1e6) / chains;
}

/** Promise chains in batches of 1,000, each batch awaited, so the microtask queue stays short. */
async function promiseChains(): Promise<number> {
  const batch = 1000;
  const start = performance.now();
  for (let b = 0; b < chains / batch; b++) {
    let settled = 0;
    let release!: () => void;
    const all = new Promise<void>((resolve) => (release = resolve));
    const last = (x: number) => {
      consume(x);
      if (++settled === batch) release();
      return x;
    };
    for (let i = 0; i < batch; i++) Promise.resolve(i).then(addOne).then(addOne).then(last);
    await all;
  }
  return ((performance.now() - start) * 1e6) / chains;
}

const twistedScript = `
import time
from twisted.internet.defer import Deferred
def add_one(x): return x + 1
N = 200000
def run():
    start = time.perf_counter()
    for i in range(N):
        d = Deferred()
        d.addCallback(add_one).addCallback(add_one).addCallback(add_one)
        d.callback(i)
    return (time.perf_counter() - start) * 1e9 / N
print(run())
`;

function twistedChains(): number | undefined {
  if (!existsSync('/usr/bin/python3')) return undefined;
  const result = spawnSync('/usr/bin/python3', ['-c', twistedScript], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  return Number(result.stdout.trim());
}

deferredChains(); // warm up
firedDeferredChains();
await promiseChains();
const samples = await alternate(rounds, {
  deferred: deferredChains,
  fired: firedDeferredChains,
  promise: promiseChains,
});
const twisted: number[] = [];
for (let i = 0; i < 3; i++) {
  const ns = twistedChains();
  if (ns !== undefined) twisted.push(ns);
}
const deferredNs = median(samples.deferred);
const firedNs = median(samples.fired);
const promiseNs = median(samples.promise);
const rows = [
  [
    'Spindle Deferred: callbacks added, then fired',
    deferredNs.toFixed(1),
    (deferredNs / promiseNs).toFixed(2),
  ],
  [
    'Spindle Deferred: fired (`succeed`), then callbacks added',
    firedNs.toFixed(1),
    (firedNs / promiseNs).toFixed(2),
  ],
  ['native Promise (3 × .then)', promiseNs.toFixed(1), '1.00'],
];
const twistedNote =
  twisted.length > 0
    ? ''
    : '\n\nTwisted column skipped: `/usr/bin/python3 -c "import twisted"` failed (install `python3-twisted`).';
if (twisted.length > 0) {
  const twistedNs = median(twisted);
  rows.push(['Twisted Deferred (CPython)', twistedNs.toFixed(0), (twistedNs / promiseNs).toFixed(1)]);
}
printSection(
  'Deferred chains (`test/bench/deferred.ts`)',
  `${chains.toLocaleString('en')} chains of a new Deferred/promise with three synchronous callbacks, fired once; ` +
    `median of ${rounds} alternating rounds (Twisted: 200,000 chains, median of 3). Goal: Deferred ≤ 0.5× Promise.\n\n` +
    table(['contender', 'ns per chain', 'ratio to Promise'], rows) +
    twistedNote,
);
