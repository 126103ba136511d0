/**
 * `npm run bench [name …]`: runs the benchmarks in test/bench/ one after another, each in its own
 * process, and writes their sections into test/bench/RESULTS.md with the machine they ran on.
 * With names, runs only those and keeps the other sections of RESULTS.md as they were.
 *
 * Benchmarks run as JavaScript compiled by `tsc` (into .bench/, by `npm run bench`) on plain
 * `node`, as a user's build would. Under tsx the same code is slower: esbuild's `keepNames`, which
 * tsx always sets, puts every class in V8's dictionary mode (`instanceof Deferred` ~5x slower, a
 * Deferred chain 1.4x), and the loader's extra heap makes a small server pay full mark-compacts
 * for its socket buffers (echo: 1.6x the CPU per byte). The echo benchmark keeps a tsx row.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { sectionMarker } from './_report.js';

const all = [
  'deferred',
  'echo',
  'connections',
  'iterate',
  'http-codec',
  'http',
  'http-client',
  'dns-codec',
  'dns',
  'websocket',
  'ftp',
  'web',
  'smtp',
  'startup',
  'chat-fanout',
];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
const resultsPath = new URL('../../../test/bench/RESULTS.md', import.meta.url);
const benchDirectory = new URL('.', import.meta.url);

/** The sections already in RESULTS.md, by benchmark name. */
function previousSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(resultsPath)) return sections;
  for (const part of readFileSync(resultsPath, 'utf8').split(sectionMarker).slice(1)) {
    const name = /`test\/bench\/([\w-]+)\.ts`/.exec(part)?.[1];
    if (name !== undefined) sections.set(name, part.trim());
  }
  return sections;
}

const sections = previousSections();
for (const name of chosen) {
  if (!all.includes(name)) throw new Error(`unknown benchmark ${name}; known: ${all.join(', ')}`);
  console.log(`» ${name}`);
  const run = spawnSync(process.execPath, [new URL(`${name}.js`, benchDirectory).pathname], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(run.stdout);
  if (run.status !== 0) throw new Error(`benchmark ${name} failed (exit ${run.status})`);
  const section = run.stdout.split(sectionMarker)[1];
  if (section !== undefined) sections.set(name, section.trim());
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const body = all
  .filter((name) => sections.has(name))
  .map((name) => `${sectionMarker}\n${sections.get(name)}`)
  .join('\n\n');
writeFileSync(
  resultsPath,
  `# Benchmark results\n\nWritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}. ` +
    'Each benchmark runs Spindle and its peer side by side in one run on the same machine; compare the ratios, ' +
    'the absolute figures drift ±20 % from run to run.\n\n' +
    `${body}\n`,
);
console.log(`wrote ${resultsPath.pathname}`);
