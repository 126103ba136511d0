import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket as WsClient } from 'ws';
import { type RunningDemo, runScript, startDemo, within } from '../support/demo-process.js';
import { pngPixels } from '../support/png-pixels.js';

const test = suite('demos/web');
const listenArgs = ['--listen', 'tcp:0:interface=127.0.0.1'];
let demo: RunningDemo;
let base: string;

/** `fetch` with a bound on the whole exchange, body included. */
async function get(path: string, init: RequestInit = {}): Promise<{ response: Response; text: string }> {
  const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
  return { response, text: await response.text() };
}

/** A `ws` client on the chat: `next()` gives the messages it received, one by one, in order. */
async function chatClient(): Promise<{ socket: WsClient; next: () => Promise<string> }> {
  const socket = new WsClient(`ws://127.0.0.1:${demo.port}/chat`);
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  socket.on('message', (data) => {
    queue.push(String(data));
    wake?.();
  });
  await within(10, 'the chat socket to open', once(socket, 'open'));
  const next = async () => {
    while (queue.length === 0) {
      await within(10, 'a chat message', new Promise<void>((resolve) => (wake = resolve)));
    }
    return queue.shift()!;
  };
  return { socket, next };
}

test.before(async () => {
  demo = await startDemo('demos/web.ts', listenArgs);
  base = `http://127.0.0.1:${demo.port}`;
});

test.after(async () => {
  await demo.stop();
});

test('prints the port it really listens on for tcp:0', () => {
  assert.match(demo.output.at(-1)!, /^listening on tcp:\d+:interface=127\.0\.0\.1$/);
});

test('serves its own small site: the home page, the chat page and its script, validators and 304', async () => {
  const home = await get('/');
  assert.is(home.response.status, 200);
  assert.is(home.response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(home.text, '<a href="/chat.html">');
  const etag = home.response.headers.get('etag');
  assert.ok(etag, 'no ETag');
  const again = await get('/', { headers: { 'If-None-Match': etag } });
  assert.is(again.response.status, 304);
  const chat = await get('/chat.html');
  assert.match(chat.text, '<script src="/chat.js"></script>');
  const script = await get('/chat.js');
  assert.is(script.response.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(script.text, 'item.textContent = event.data');
  assert.is((await get('/nothing-here')).response.status, 404);
});

test('GET /api/time answers the time as JSON', async () => {
  const { response, text } = await get('/api/time');
  assert.is(response.status, 200);
  assert.is(response.headers.get('content-type'), 'application/json');
  const { now, unix } = JSON.parse(text) as { now: string; unix: number };
  assert.ok(Math.abs(Date.parse(now) - Date.now()) < 60_000, `${now} is not now`);
  assert.is(unix, Math.floor(Date.parse(now) / 1000));
});

test('POST /api/echo sends JSON back, refuses a body that is not JSON (400)', async () => {
  const value = { text: 'héllo', list: [1, 2, { deep: null }] };
  const echoed = await get('/api/echo', { method: 'POST', body: JSON.stringify(value) });
  assert.is(echoed.response.status, 200);
  assert.equal(JSON.parse(echoed.text), { received: value });
  const bad = await get('/api/echo', { method: 'POST', body: '{not json' });
  assert.is(bad.response.status, 400);
  assert.equal(JSON.parse(bad.text), { error: 'the body is not JSON' });
  const wrong = await get('/api/echo'); // not a POST: on to the files, as after Express's app.post
  assert.is(wrong.response.status, 404);
});

test('the Hono app answers below /hono, and sees the path under it', async () => {
  for (const path of ['/hono', '/hono/']) {
    const { response, text } = await get(path);
    assert.is(response.status, 200, path);
    assert.is(text, 'Hello from Hono, served by Spindle\n');
  }
  const greeting = await get('/hono/greet/Ada%20L');
  assert.equal(JSON.parse(greeting.text), { greeting: 'Hello, Ada L!' });
  assert.is((await get('/hono/nothing')).response.status, 404);
  assert.is((await get('/honorary')).response.status, 404); // a static path, not the app's
});

test('the chat sends each text message to every client, its sender included; binary closes 1003', async () => {
  const alice = await chatClient();
  const bob = await chatClient();
  try {
    alice.socket.send('hi bob');
    assert.is(await bob.next(), 'hi bob');
    assert.is(await alice.next(), 'hi bob'); // the sender gets its own message too
    bob.socket.send(Buffer.from([1, 2, 3]));
    const [code] = await within(10, 'the binary sender to be closed', once(bob.socket, 'close'));
    assert.is(code, 1003);
    alice.socket.send('still here');
    assert.is(await alice.next(), 'still here');
  } finally {
    alice.socket.terminate();
    bob.socket.terminate();
  }
});

/** Opens the chat page in `page` and waits until its socket is open. */
async function openChat(page: Page): Promise<void> {
  await page.goto(`${base}/chat.html`, { timeout: 10_000 });
  await page.locator('#status', { hasText: /^connected$/ }).waitFor({ timeout: 10_000 });
}

/** Types `text` into the chat page `page` and sends it with Enter. */
async function say(page: Page, text: string): Promise<void> {
  await page.fill('#text', text, { timeout: 5_000 });
  await page.press('#text', 'Enter', { timeout: 5_000 });
}

test('two Chromium clients chat through the page, markup shows as text, and the page renders', async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
  try {
    const alice = await (await browser.newContext()).newPage();
    const bob = await (await browser.newContext()).newPage();
    await openChat(alice);
    await openChat(bob);
    await say(alice, 'hello from <b>alice</b>');
    await bob.locator('#log li', { hasText: 'hello from <b>alice</b>' }).waitFor({ timeout: 10_000 });
    await say(bob, 'and hello from bob & co');
    await alice.locator('#log li', { hasText: 'and hello from bob & co' }).waitFor({ timeout: 10_000 });
    for (const page of [alice, bob]) {
      assert.equal(await page.locator('#log li').allTextContents(), [
        'hello from <b>alice</b>',
        'and hello from bob & co',
      ]);
      assert.is(await page.locator('#log b').count(), 0, 'a message became markup');
    }

    const { width, height, channels, data } = pngPixels(await bob.screenshot({ timeout: 10_000 }));
    assert.ok(width > 100 && height > 100, `a ${width}×${height} screenshot`);
    const counts = new Map<string, number>();
    for (let at = 0; at < data.length; at += channels) {
      const colour = data.subarray(at, at + channels).join(',');
      counts.set(colour, (counts.get(colour) ?? 0) + 1);
    }
    const background = Math.max(...counts.values());
    const drawn = width * height - background;
    assert.ok(counts.size > 10, `only ${counts.size} colours in the screenshot`);
    assert.ok(drawn > width * height * 0.005, `only ${drawn} pixels differ from the background`);
  } finally {
    await browser.close();
  }
});

test('--path serves the folder given; a --path that is not a folder is a one-line error', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'spindle-web-test-'));
  writeFileSync(join(folder, 'a.txt'), 'from the folder\n');
  const other = await startDemo('demos/web.ts', [...listenArgs, '--path', folder]);
  try {
    const response = await fetch(`http://127.0.0.1:${other.port}/a.txt`, {
      signal: AbortSignal.timeout(10_000),
    });
    assert.is(await response.text(), 'from the folder\n');
    const home = await fetch(`http://127.0.0.1:${other.port}/`, { signal: AbortSignal.timeout(10_000) });
    assert.is(home.status, 403); // a folder without index.html, listings off
    await home.text();
  } finally {
    await other.stop();
  }
  const missing = join(folder, 'missing');
  const run = await runScript('demos/web.ts', [...listenArgs, '--path', missing]);
  rmSync(folder, { recursive: true, force: true });
  assert.is(run.code, 1);
  assert.is(run.stderr, `web: ${missing} is not a folder\n`);
});

test('on SIGTERM it closes the chat sockets with 1001 and exits with status 0', async () => {
  const client = await chatClient();
  const closed = once(client.socket, 'close');
  const exit = await demo.stop();
  const [code] = await within(10, 'the chat socket to close', closed);
  assert.is(code, 1001);
  assert.equal(exit, { code: 0, signal: null });
});

test.run();
