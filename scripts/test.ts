/**
 * `npm test`: checks the real peers the tests talk to (installing missing ones as root with apt,
 * see `peers.ts`), then type check, lint, then the uvu suite under c8 with coverage thresholds.
 * Streams each step's output and ends with one plain `N passed, N failed` line (a missing peer,
 * a failed check or coverage threshold counts as a failure); exits non-zero if anything failed.
 */
import { spawn } from 'node:child_process';
import { ensurePeers } from './peers.js';

interface StepResult {
  code: number;
  output: string;
}

function run(command: string, args: string[]): Promise<StepResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const relay = (target: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      target.write(chunk);
    };
    child.stdout.on('data', relay(process.stdout));
    child.stderr.on('data', relay(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const bin = (name: string) => `node_modules/.bin/${name}`;
let failedChecks = 0;

if (!(await ensurePeers())) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

console.log('» type check');
if ((await run(bin('tsc'), ['-p', 'tsconfig.json'])).code !== 0) failedChecks++;

console.log('» lint');
if ((await run(bin('biome'), ['ci', '.'])).code !== 0) failedChecks++;

console.log('» tests with coverage');
const pattern = process.argv[2] ?? '\\.test\\.ts$';
const tests = await run(bin('c8'), [
  '--check-coverage',
  '--lines=90',
  '--reporter=text-summary',
  '--include=source/**',
  '--include=operators/**',
  '--include=protocols/**',
  'node',
  '--import',
  'tsx',
  'node_modules/uvu/bin.js',
  'test',
  pattern,
]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
const plain = tests.output.replace(/\u001b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
let failed = total - passed - skipped + failedChecks;
if (tests.code !== 0 && failed === 0) failed = 1; // a crash or a coverage threshold missed
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
