/**
 * Startup time of `spindle web --path DIR`, as users run it (the compiled command on plain
 * `node`), beside a plain node:http static server script and Twisted's `twistd3 web --path DIR`.
 * Each launch is timed from spawn to its `listening on` line (Spindle and the node script print
 * one) and to its first answered request (a GET / retried every 2 ms until one is answered: the
 * only way to see twistd ready). Rounds alternate A B C A B C …; medians of 30 rounds. hyperfine
 * times whole commands, not "until a line appears", so this does its own alternating runs.
 * Run: `npm run bench -- startup`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../support/peer-process.js';
import { benchScript, compiledScript, giveUpAfter, twistedAvailable } from './_children.js';
import { alternate, median, printSection, table } from './_report.js';

const rounds = 30;
const title = 'Startup: launch to listening (`test/bench/startup.ts`)';

giveUpAfter('startup', 10 * 60);

type Contender = 'spindle' | 'node' | 'twistd';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (`node dist/source/cli.js web --path DIR`)',
  node: 'plain node:http static script (`node server.js DIR`)',
  twistd: 'Twisted (`twistd3 -n web --path DIR`)',
};

/** Whether a GET / on `port` is answered (any status). */
function answered(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const get = request({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
      response.resume();
      resolve(true);
    });
    get.on('error', () => resolve(false));
    get.end();
  });
}

/** Milliseconds from `started` until a GET / on `port` is answered (retried every 2 ms, 10 s at most). */
async function firstAnswer(port: number, started: number): Promise<number> {
  for (let tries = 0; tries < 5000; tries++) {
    if (await answered(port)) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`nothing answered on port ${port} within 10 s`);
}

/** Launches `command args`, times it to its `listening on` line (when it prints one) and to its first answer, stops it. */
async function launch(command: string, args: readonly string[], port: number, printsLine: boolean) {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = once(child, 'exit');
  try {
    let toLine = Number.NaN;
    if (printsLine) {
      const lines = createInterface({ input: child.stdout! });
      for await (const line of lines) {
        if (line.startsWith('listening on ')) break;
      }
      toLine = performance.now() - started;
    } else child.stdout!.resume();
    return { toLine, toAnswer: await firstAnswer(port, started) };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

const folder = mkdtempSync(join(tmpdir(), 'spindle-bench-startup-'));
writeFileSync(join(folder, 'index.html'), '<!doctype html><title>hi</title><p>hello</p>\n');
try {
  const withTwisted = twistedAvailable();
  const ports = { spindle: await freePort(), node: await freePort(), twistd: await freePort() };
  const endpoint = (port: number) => `tcp:${port}:interface=127.0.0.1`;
  const commands: Record<Contender, () => Promise<{ toLine: number; toAnswer: number }>> = {
    spindle: () =>
      launch(
        process.execPath,
        [compiledScript('source/cli'), 'web', '--path', folder, '--listen', endpoint(ports.spindle)],
        ports.spindle,
        true,
      ),
    node: () =>
      launch(
        process.execPath,
        [benchScript('_startup-node-server'), folder, String(ports.node)],
        ports.node,
        true,
      ),
    twistd: () =>
      launch(
        'twistd3',
        [
          '-n',
          '--pidfile=',
          '--logfile=/dev/null',
          'web',
          '--path',
          folder,
          '--listen',
          endpoint(ports.twistd),
        ],
        ports.twistd,
        false,
      ),
  };
  const contenders = (Object.keys(commands) as Contender[]).filter(
    (name) => name !== 'twistd' || withTwisted,
  );
  const toLine: Record<string, number[]> = Object.fromEntries(contenders.map((name) => [name, []]));
  const toAnswer: Record<string, number[]> = Object.fromEntries(contenders.map((name) => [name, []]));
  await alternate(
    rounds,
    Object.fromEntries(
      contenders.map((name) => [
        name,
        async () => {
          const { toLine: line, toAnswer: answer } = await commands[name]();
          toLine[name]!.push(line);
          toAnswer[name]!.push(answer);
          return answer;
        },
      ]),
    ) as Record<Contender, () => Promise<number>>,
  );
  const spindleLine = median(toLine.spindle!);
  const spindleAnswer = median(toAnswer.spindle!);
  const rows = contenders.map((name) => {
    const line = median(toLine[name]!);
    const answer = median(toAnswer[name]!);
    return [
      labels[name],
      Number.isNaN(line) ? '(prints none)' : line.toFixed(0),
      answer.toFixed(0),
      Number.isNaN(line) ? '–' : (spindleLine / line).toFixed(2),
      (spindleAnswer / answer).toFixed(2),
    ];
  });
  printSection(
    title,
    `Milliseconds from spawn, medians of ${rounds} alternating launches of each on 127.0.0.1 (a folder holding one index.html); ` +
      'the ratios are Spindle’s time over the other’s (below 1: Spindle is faster). Goals: Spindle ≤ 1.5× the plain node:http script ' +
      'to its listening line, and faster than twistd to the first answer.\n\n' +
      table(
        [
          'server',
          'to `listening on`',
          'to the first answer',
          'Spindle ÷ it (line)',
          'Spindle ÷ it (answer)',
        ],
        rows,
      ),
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
