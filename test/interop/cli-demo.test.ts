import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, startDemo, within } from '../support/demo-process.js';

// `spindle demo` (what `npm start` runs): every server on its loopback port, and a table of lines
// to paste. Each line of the table is run here as a user would paste it into a shell.
const test = suite('interop/cli-demo');
const run = promisify(execFile);
const banner = /^Files \(web site, mail, FTP root\) are in /;
let demo: RunningDemo;

/** The table's try-lines, with the server each belongs to. */
function tryLines(output: readonly string[]): { server: string; line: string }[] {
  const rows: { server: string; line: string }[] = [];
  let server = '';
  for (const row of output.slice(output.findIndex((line) => line.startsWith('Spindle demo:')) + 1)) {
    const match = /^ {2}(\w*) +(?:127\.0\.0\.1:\d+ +)?(\S.*)$/.exec(row);
    if (match === null) break;
    server = match[1] || server;
    rows.push({ server, line: match[2]! });
  }
  return rows;
}

/** What bash prints running `line`. */
async function paste(line: string): Promise<string> {
  const { stdout } = await run('bash', ['-c', line], { timeout: 20_000 });
  return stdout;
}

test.before(async () => {
  demo = await startDemo('source/cli.ts', ['demo'], { listening: 6, ready: banner });
});

test.after(async () => {
  await demo.stop();
});

test('prints what listens where, with lines to try web, dns, smtp, ftp, echo and chat', () => {
  assert.equal(
    [...new Set(tryLines(demo.output).map((row) => row.server))],
    ['web', 'dns', 'smtp', 'ftp', 'echo', 'chat'],
  );
  assert.equal(
    demo.endpoints.map((endpoint) => endpoint.split(':')[0]),
    ['tcp', 'udp', 'tcp', 'tcp', 'tcp', 'tcp'],
  );
});

test('every pasted line works', async () => {
  const lines = tryLines(demo.output);
  const line = (server: string, start: string) =>
    lines.find((row) => row.server === server && row.line.startsWith(start))!.line;
  assert.is(await paste(line('web', 'curl')), 'Hello from the Spindle demo.\n');
  assert.match(await paste(line('dns', 'dig')), /^www\.example\.test\.\s+\d+\s+IN\s+A\s+127\.0\.0\.1$/m);
  assert.match(
    await paste(lines.filter((row) => row.server === 'dns')[1]!.line),
    /MX\s+10 mail\.example\.test\./,
  );
  assert.match(await paste(line('smtp', 'swaks')), /<- {2}250 /);
  await paste(line('smtp', 'printf'));
  assert.is(
    (await paste(line('smtp', 'ls'))).trim().split('\n').length,
    2,
    'both messages are in the Maildir',
  );
  assert.match(await paste(line('ftp', 'curl ftp')), /^Files served by the Spindle demo/);
  await paste(line('ftp', 'curl -sS -T'));
  assert.is(await paste(line('echo', 'echo hello')), 'hello\n');
  const page = line('web', 'open').replace(/^open (\S+) .*$/, '$1');
  const response = await fetch(page);
  assert.is(response.status, 200);
  assert.match(await response.text(), /<script src="\/chat\.js">/);
});

test('the chat line: two nc clients talk', async () => {
  const command = tryLines(demo.output)
    .find((row) => row.server === 'chat')!
    .line.replace(/ +#.*$/, '');
  const [alice, bob] = [0, 1].map(() =>
    spawn('bash', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const heard = (client: typeof alice, text: string) =>
    within(
      10,
      `"${text}"`,
      new Promise<void>((resolve) => {
        let all = '';
        client!.stdout.on('data', (chunk: Buffer) => {
          all += chunk.toString();
          if (all.includes(text)) resolve();
        });
      }),
    );
  try {
    const aliceIn = heard(alice, 'Welcome, alice!');
    alice!.stdin.write('alice\n');
    await aliceIn;
    const bobIn = heard(bob, 'Welcome, bob!');
    bob!.stdin.write('bob\n');
    await bobIn;
    const message = heard(alice, '<bob> hello alice');
    bob!.stdin.write('hello alice\n');
    await message;
  } finally {
    for (const client of [alice, bob]) {
      client!.kill();
      await once(client!, 'close');
    }
  }
});

test('a fixed port that is taken: it says which, and the server listens on another', async () => {
  const second = await startDemo('source/cli.ts', ['demo'], { listening: 6, ready: banner });
  try {
    for (const port of [8080, 5353, 2525, 2121, 8007, 8023]) {
      if (demo.endpoints.some((endpoint) => endpoint.split(':')[1] === String(port))) {
        assert.ok(
          second.output.some((line) => line.startsWith(`port ${port} is taken: `)),
          `said ${port} is taken`,
        );
      }
    }
    await second.stderrMatches(/^WARN .*cannot listen on tcp:8007/m); // stderr is a pipe of its own: wait for it
    assert.not.match(second.stderr, /^ERROR /m, 'a port taken and replaced is no error');
    const echo = tryLines(second.output).find((row) => row.server === 'echo')!.line;
    assert.is(await paste(echo), 'hello\n');
  } finally {
    assert.equal(await second.stop('SIGINT'), { code: 0, signal: null });
  }
});

test.run();
