import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import { type HttpHandler, httpServer } from '../../../protocols/http/server.js';
import { type StaticFilesOptions, staticFiles } from '../../../protocols/web/static-files.js';
import { fileChunkSize } from '../../../source/_file-chunks.js';
import { logRecords$ } from '../../../source/index.js';
import { checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';
import { descriptorsOn } from '../../support/descriptors.js';
import { collectGarbage } from '../../support/gc.js';

const test = checkClean(suite('protocols/web/static-files'));

const top = mkdtempSync(join(tmpdir(), 'spindle-static-'));
const root = join(top, 'root');
/** The modification time of every fixture (siblings said otherwise), in seconds. */
const mtime = 1_700_000_000;
const big = Array.from({ length: 30_000 }, (_, i) => `line ${i} of a compressible text\n`).join('');
const appJs = `${'console.log("spindle");\n'.repeat(100)}`;
const styleCss = `${'body { color: black; }\n'.repeat(100)}`;
const png = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff));

function put(path: string, content: string | Uint8Array, seconds = mtime): void {
  writeFileSync(join(root, path), content);
  utimesSync(join(root, path), seconds, seconds);
}

mkdirSync(join(root, 'docs', 'sub'), { recursive: true });
mkdirSync(join(root, '.well-known'));
mkdirSync(join(root, 'empty-folder'));
writeFileSync(join(top, 'secret.txt'), 'TOP SECRET\n');
put('hello.txt', 'hello world\n');
put('index.html', '<h1>home</h1>\n');
put('big.txt', big);
put('app.js', appJs);
put('app.js.gz', gzipSync(appJs), mtime + 10);
put('app.js.br', brotliCompressSync(appJs), mtime + 10);
put('style.css', styleCss);
put('style.css.gz', gzipSync('stale'), mtime - 100);
put('noise.txt', randomBytes(768 * 1024).toString('base64')); // 1 MiB that compresses only to 3/4
put('small.txt', 'small\n'.repeat(10));
put('image.png', png);
put('data.json', '{"a":1}');
put('notes.unknownext', 'x');
put('Makefile', 'all:\n');
put('empty.txt', '');
put('.env', 'SECRET_ENV\n');
put('.well-known/security.txt', 'contact\n');
put('docs/a&b<c>.txt', 'amp');
put('docs/"quote\'.txt', 'quote');
put('docs/<img src=x onerror=alert(1)>.txt', 'xss');
put('docs/%41 space.txt', 'percent');
put('docs/zeta.txt', 'z'.repeat(1234));
put('docs/Alpha.txt', 'a');
put('docs/.hidden', 'hidden');
put('docs/sub/index.html', '<h1>sub</h1>\n');
symlinkSync('hello.txt', join(root, 'link-in.txt'));
symlinkSync('../secret.txt', join(root, 'link-out.txt'));
symlinkSync(join(top, 'secret.txt'), join(root, 'abs-out.txt'));
symlinkSync('..', join(root, 'dir-out'));
symlinkSync('../secret.txt', join(root, 'docs', 'escape.txt'));
symlinkSync('../hello.txt', join(root, 'docs', 'hello-link.txt'));
execFileSync('mkfifo', [join(root, 'fifo.txt')]);

test.after(() => rmSync(top, { recursive: true, force: true }));

/** Node's warnings of file handles it closed on garbage collection: a handle we forgot to close. */
const collected: string[] = [];
process.on('warning', (warning) => {
  if (/garbage collection/i.test(warning.message)) collected.push(warning.message);
});
test.after.each(async () => {
  await collectGarbage();
  const leaks = collected.splice(0);
  if (leaks.length > 0) throw new Error(`file handles left to the garbage collector: ${leaks.join('; ')}`);
});

interface Answer {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: Buffer;
}

/** How many descriptors this process holds open on `file` (under the root). */
const openOn = (file: string): number => descriptorsOn(join(root, file));

/** Waits, turn by turn, for file I/O to bring `condition` about (at most 5 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await turn();
  }
}

/** The responses in `bytes`, one per method of `methods`. */
function answers(bytes: Uint8Array, methods: readonly string[]): Answer[] {
  const parser = new ResponseParser();
  for (const method of methods) parser.expect(method);
  const result: { status: number; headers: HttpHeaders; chunks: Uint8Array[] }[] = [];
  for (const event of parser.push(bytes)) {
    if (event.type === 'head')
      result.push({ status: event.head.status, headers: event.head.headers, chunks: [] });
    else if (event.type === 'body') result.at(-1)!.chunks.push(event.data);
  }
  return result.map(({ status, headers, chunks }) => ({ status, headers, body: Buffer.concat(chunks) }));
}

function connect(handler: HttpHandler): { transport: StringTransport; done: () => number } {
  const app = httpServer(handler, { clock: trackedClock() });
  let done = 0;
  app.accessLog$.subscribe(() => done++);
  const transport = new StringTransport({ allowHalfOpen: true });
  app.serve(transport);
  return { transport, done: () => done };
}

const head = (target: string, headers: Record<string, string> = {}, method = 'GET') =>
  `${method} ${target} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

/** Sends one request to `staticFiles(root, options)` and gives its whole response. */
async function ask(
  target: string,
  headers: Record<string, string> = {},
  method = 'GET',
  options: StaticFilesOptions = {},
): Promise<Answer> {
  const { transport, done } = connect(staticFiles(root, options));
  transport.receive(head(target, headers, method));
  await until(() => done() > 0, `the answer to ${method} ${target}`);
  const [answer] = answers(transport.value(), [method]);
  transport.loseConnection();
  return answer!;
}

const validators = (answer: Answer) => ({
  etag: answer.headers.get('etag')!,
  lastModified: answer.headers.get('last-modified')!,
});

test('serves a file with its type, length, ETag, Last-Modified and Accept-Ranges', async () => {
  const answer = await ask('/hello.txt');
  assert.is(answer.status, 200);
  assert.is(answer.body.toString(), 'hello world\n');
  assert.is(answer.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.is(answer.headers.get('content-length'), '12');
  assert.is(answer.headers.get('etag'), `"c-${(mtime * 1000).toString(16)}"`, 'strong, from size and mtime');
  assert.is(answer.headers.get('last-modified'), 'Tue, 14 Nov 2023 22:13:20 GMT');
  assert.is(answer.headers.get('accept-ranges'), 'bytes');
});

test('content types come from the extension; text gets charset=utf-8; unknown is octet-stream', async () => {
  const types: Record<string, string> = {
    '/index.html': 'text/html; charset=utf-8',
    '/app.js': 'text/javascript; charset=utf-8',
    '/style.css': 'text/css; charset=utf-8',
    '/data.json': 'application/json',
    '/image.png': 'image/png',
    '/notes.unknownext': 'application/octet-stream',
    '/Makefile': 'application/octet-stream',
  };
  for (const [target, type] of Object.entries(types)) {
    assert.is((await ask(target)).headers.get('content-type'), type, target);
  }
  const custom = await ask('/notes.unknownext', {}, 'GET', { types: { unknownext: 'text/x-notes' } });
  assert.is(custom.headers.get('content-type'), 'text/x-notes; charset=utf-8');
});

test('HEAD gets the headers GET gets, no body, and the file is closed', async () => {
  for (const target of ['/hello.txt', '/big.txt']) {
    const get = await ask(target);
    const answer = await ask(target, {}, 'HEAD');
    assert.is(answer.status, 200);
    assert.is(answer.body.length, 0);
    assert.is(answer.headers.get('content-length'), get.headers.get('content-length'), target);
    assert.is(answer.headers.get('etag'), get.headers.get('etag'));
    await until(() => openOn(target.slice(1)) === 0, 'the file to close after HEAD');
  }
  const compressed = await ask('/big.txt', { 'Accept-Encoding': 'gzip' }, 'HEAD');
  assert.is(compressed.headers.get('content-encoding'), 'gzip');
  assert.is(compressed.headers.get('transfer-encoding'), 'chunked', 'as GET would, with no length known');
});

test('methods other than GET and HEAD get 405 with Allow', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
    const answer = await ask('/hello.txt', { 'Content-Length': '0' }, method);
    assert.is(answer.status, 405, method);
    assert.is(answer.headers.get('allow'), 'GET, HEAD');
  }
});

test('If-None-Match: the tag, a list, W/ (weak comparison) or * → 304 with the validators', async () => {
  const { etag, lastModified } = validators(await ask('/hello.txt'));
  for (const value of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
    const answer = await ask('/hello.txt', { 'If-None-Match': value });
    assert.is(answer.status, 304, value);
    assert.is(answer.body.length, 0);
    assert.is(answer.headers.get('etag'), etag);
    assert.is(answer.headers.get('last-modified'), lastModified);
  }
  assert.is((await ask('/hello.txt', { 'If-None-Match': '"nope"' })).status, 200);
  assert.is((await ask('/hello.txt', { 'If-None-Match': etag }, 'HEAD')).status, 304);
});

test('If-Modified-Since → 304 when not newer, ignored beside If-None-Match or when invalid', async () => {
  const { lastModified } = validators(await ask('/hello.txt'));
  assert.is((await ask('/hello.txt', { 'If-Modified-Since': lastModified })).status, 304);
  assert.is((await ask('/hello.txt', { 'If-Modified-Since': 'Wed, 15 Nov 2023 00:00:00 GMT' })).status, 304);
  assert.is((await ask('/hello.txt', { 'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:19 GMT' })).status, 200);
  assert.is((await ask('/hello.txt', { 'If-Modified-Since': 'soon' })).status, 200);
  const both = await ask('/hello.txt', { 'If-None-Match': '"other"', 'If-Modified-Since': lastModified });
  assert.is(both.status, 200, 'If-None-Match present: If-Modified-Since is ignored');
});

test('If-Match and If-Unmodified-Since fail with 412', async () => {
  const { etag } = validators(await ask('/hello.txt'));
  assert.is((await ask('/hello.txt', { 'If-Match': etag })).status, 200);
  assert.is((await ask('/hello.txt', { 'If-Match': '"other"' })).status, 412);
  assert.is(
    (await ask('/hello.txt', { 'If-Unmodified-Since': 'Mon, 13 Nov 2023 00:00:00 GMT' })).status,
    412,
  );
});

test('one range → 206 with Content-Range and those bytes', async () => {
  const cases: [string, string, string][] = [
    ['bytes=0-4', 'hello', 'bytes 0-4/12'],
    ['bytes=6-', 'world\n', 'bytes 6-11/12'],
    ['bytes=-6', 'world\n', 'bytes 6-11/12'],
    ['bytes=10-99', 'd\n', 'bytes 10-11/12'],
  ];
  for (const [range, body, contentRange] of cases) {
    const answer = await ask('/hello.txt', { Range: range });
    assert.is(answer.status, 206, range);
    assert.is(answer.body.toString(), body, range);
    assert.is(answer.headers.get('content-range'), contentRange);
    assert.is(answer.headers.get('content-length'), String(body.length));
  }
  const tail = await ask('/big.txt', { Range: 'bytes=100000-299999' });
  assert.is(tail.status, 206);
  assert.ok(tail.body.equals(Buffer.from(big).subarray(100000, 300000)), 'a range of a streamed file');
});

test('several ranges → 206 multipart/byteranges, each part with its type and Content-Range', async () => {
  const answer = await ask('/hello.txt', { Range: 'bytes=0-3, 6-8, -1' });
  assert.is(answer.status, 206);
  const type = answer.headers.get('content-type')!;
  const boundary = /^multipart\/byteranges; boundary=([0-9a-f]+)$/.exec(type)?.[1];
  assert.ok(boundary !== undefined, type);
  assert.is(answer.headers.get('content-length'), String(answer.body.length));
  const part = (range: string, bytes: string) =>
    `\r\n--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes ${range}/12\r\n\r\n${bytes}`;
  assert.is(
    answer.body.toString(),
    `${part('0-3', 'hell')}${part('6-8', 'wor')}${part('11-11', '\n')}\r\n--${boundary}--\r\n`,
  );
});

test('unsatisfiable ranges → 416 with Content-Range: bytes */size', async () => {
  for (const [target, range, size] of [
    ['/hello.txt', 'bytes=12-', 12],
    ['/hello.txt', 'bytes=50-60, 70-', 12],
    ['/empty.txt', 'bytes=0-', 0],
  ] as const) {
    const answer = await ask(target, { Range: range });
    assert.is(answer.status, 416, range);
    assert.is(answer.headers.get('content-range'), `bytes */${size}`);
  }
});

test('malformed ranges, other units, too many ranges and overlaps past the size → the whole file', async () => {
  for (const range of ['bytes=5-2', 'bytes=x', 'lines=0-1', 'bytes=0-1,2-3,4-5', 'bytes=0-8,3-11']) {
    const answer = await ask('/hello.txt', { Range: range }, 'GET', { maxRanges: 2 });
    assert.is(answer.status, 200, range);
    assert.is(answer.body.toString(), 'hello world\n');
  }
  assert.is((await ask('/hello.txt', { Range: 'bytes=0-0,1-1' }, 'GET', { maxRanges: 2 })).status, 206);
  assert.is((await ask('/hello.txt', { Range: 'bytes=0-1' }, 'HEAD')).status, 200, 'HEAD ignores Range');
});

test('If-Range: a matching strong ETag or the exact date lets the range apply; anything else, the whole file', async () => {
  const { etag, lastModified } = validators(await ask('/hello.txt'));
  const status = async (ifRange: string) =>
    (await ask('/hello.txt', { Range: 'bytes=0-4', 'If-Range': ifRange })).status;
  assert.is(await status(etag), 206);
  assert.is(await status(lastModified), 206);
  assert.is(await status('"other"'), 200);
  assert.is(await status(`W/${etag}`), 200, 'a weak tag never matches');
  assert.is(await status('Tue, 14 Nov 2023 22:13:21 GMT'), 200);
});

test('gzip and br on the fly for a compressible file: Vary, chunked, a weak ETag, the same bytes', async () => {
  const strong = (await ask('/big.txt')).headers.get('etag')!;
  for (const [accept, coding, decode] of [
    ['gzip', 'gzip', gunzipSync],
    ['gzip, deflate, br', 'br', brotliDecompressSync],
    ['br;q=0.5, gzip', 'gzip', gunzipSync],
    ['x-gzip', 'gzip', gunzipSync],
  ] as const) {
    const answer = await ask('/big.txt', { 'Accept-Encoding': accept });
    assert.is(answer.status, 200);
    assert.is(answer.headers.get('content-encoding'), coding, accept);
    assert.is(answer.headers.get('vary'), 'Accept-Encoding');
    assert.is(answer.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.is(answer.headers.get('content-length'), undefined);
    assert.is(answer.headers.get('transfer-encoding'), 'chunked');
    assert.is(answer.headers.get('etag'), `W/${strong}`);
    assert.ok(answer.body.length < big.length / 4, `${coding} compresses (${answer.body.length} bytes)`);
    assert.is(decode(answer.body).toString(), big);
  }
  const plain = await ask('/big.txt', { 'Accept-Encoding': 'gzip', 'If-None-Match': strong });
  assert.is(plain.status, 304, 'the identity tag still validates (weak comparison)');
});

test('no compression without Accept-Encoding, below minCompressBytes, for binary types, or when off', async () => {
  const none = await ask('/big.txt');
  assert.is(none.headers.get('content-encoding'), undefined);
  assert.is(none.headers.get('vary'), 'Accept-Encoding', 'the answer depends on Accept-Encoding');
  const small = await ask('/small.txt', { 'Accept-Encoding': 'gzip' });
  assert.is(small.headers.get('content-encoding'), undefined);
  assert.is(small.body.toString(), 'small\n'.repeat(10));
  const smaller = await ask('/small.txt', { 'Accept-Encoding': 'gzip' }, 'GET', { minCompressBytes: 10 });
  assert.is(smaller.headers.get('content-encoding'), 'gzip');
  const image = await ask('/image.png', { 'Accept-Encoding': 'gzip, br' });
  assert.is(image.headers.get('content-encoding'), undefined);
  assert.is(image.headers.get('vary'), undefined);
  assert.ok(image.body.equals(png));
  const off = await ask('/big.txt', { 'Accept-Encoding': 'gzip' }, 'GET', { compress: false });
  assert.is(off.headers.get('content-encoding'), undefined);
});

test('identity;q=0 is respected: compressed whatever the size and type, or 406 when nothing fits', async () => {
  const small = await ask('/hello.txt', { 'Accept-Encoding': 'gzip, identity;q=0' });
  assert.is(small.headers.get('content-encoding'), 'gzip');
  assert.is(gunzipSync(small.body).toString(), 'hello world\n');
  const image = await ask('/image.png', { 'Accept-Encoding': 'br, identity;q=0' });
  assert.is(image.headers.get('content-encoding'), 'br');
  assert.ok(brotliDecompressSync(image.body).equals(png));
  assert.is((await ask('/hello.txt', { 'Accept-Encoding': 'identity;q=0' })).status, 406);
  assert.is((await ask('/hello.txt', { 'Accept-Encoding': '*;q=0' })).status, 406);
  const refused = await ask('/hello.txt', { 'Accept-Encoding': 'gzip;q=0, br;q=0' });
  assert.is(refused.headers.get('content-encoding'), undefined);
});

test('a Range request gets identity ranges, even from a client that accepts gzip', async () => {
  const answer = await ask('/big.txt', { 'Accept-Encoding': 'gzip, br', Range: 'bytes=0-9' });
  assert.is(answer.status, 206);
  assert.is(answer.headers.get('content-encoding'), undefined);
  assert.is(answer.body.toString(), big.slice(0, 10));
  const sibling = await ask('/app.js', { 'Accept-Encoding': 'br', Range: 'bytes=0-6' });
  assert.is(sibling.body.toString(), 'console', 'not the bytes of app.js.br');
});

test('precompressed siblings: .br and .gz served as they are, with the original type; stale ones ignored', async () => {
  const br = await ask('/app.js', { 'Accept-Encoding': 'gzip, br' });
  assert.is(br.headers.get('content-encoding'), 'br');
  assert.is(br.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.ok(br.body.equals(readFileSync(join(root, 'app.js.br'))), 'the .br file, byte for byte');
  assert.is(br.headers.get('content-length'), String(br.body.length));
  assert.is(br.headers.get('vary'), 'Accept-Encoding');
  const gz = await ask('/app.js', { 'Accept-Encoding': 'gzip' });
  assert.is(gz.headers.get('content-encoding'), 'gzip');
  assert.ok(gz.body.equals(readFileSync(join(root, 'app.js.gz'))));
  assert.is.not(gz.headers.get('etag'), br.headers.get('etag'), 'each representation has its own tag');
  assert.is(
    (await ask('/app.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.get('etag')! })).status,
    304,
  );
  const stale = await ask('/style.css', { 'Accept-Encoding': 'gzip' });
  assert.is(stale.headers.get('content-encoding'), 'gzip');
  assert.is(gunzipSync(stale.body).toString(), styleCss, 'compressed now, not the older style.css.gz');
  const off = await ask('/app.js', { 'Accept-Encoding': 'br' }, 'GET', { precompressed: false });
  assert.is(brotliDecompressSync(off.body).toString(), appJs);
  assert.ok(
    !off.body.equals(readFileSync(join(root, 'app.js.br'))) || off.headers.get('etag')!.startsWith('W/'),
  );
});

test('a folder without its slash → 301 to the slash form, query kept', async () => {
  const answer = await ask('/docs?sort=name');
  assert.is(answer.status, 301);
  assert.is(answer.headers.get('location'), 'docs/?sort=name');
  assert.is((await ask('/docs/sub')).headers.get('location'), 'sub/');
  const odd = await ask('//docs');
  assert.is(odd.headers.get('location'), 'docs/', 'never //host: relative to the folder');
});

test('a folder with its slash serves its index file; without one, 403 unless listing', async () => {
  const home = await ask('/');
  assert.is(home.body.toString(), '<h1>home</h1>\n');
  assert.is(home.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.is((await ask('/docs/sub/')).body.toString(), '<h1>sub</h1>\n');
  assert.is((await ask('/docs/')).status, 403);
  assert.is((await ask('/', {}, 'GET', { index: [] })).status, 403);
  const other = await ask('/docs/sub/', {}, 'GET', { index: ['missing.html', 'index.html'] });
  assert.is(other.body.toString(), '<h1>sub</h1>\n');
});

test('a listing escapes every name for HTML and URLs, sorts folders first, hides dotfiles and escapes', async () => {
  const answer = await ask('/docs/', {}, 'GET', { listing: true });
  assert.is(answer.status, 200);
  assert.is(answer.headers.get('content-type'), 'text/html; charset=utf-8');
  const html = answer.body.toString();
  assert.not.match(html, '<img', 'no name is markup');
  assert.match(
    html,
    '<a href="%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.txt">&lt;img src=x onerror=alert(1)&gt;.txt</a>',
  );
  assert.match(html, '<a href="a%26b%3Cc%3E.txt">a&amp;b&lt;c&gt;.txt</a>');
  assert.match(html, '<a href="%22quote\'.txt">&quot;quote&#39;.txt</a>'.replace("'", '&#39;'));
  assert.match(html, '<a href="%2541%20space.txt">%41 space.txt</a>');
  assert.match(html, '<title>Index of /docs/</title>');
  assert.match(html, '<a href="../">../</a>');
  assert.match(html, /zeta\.txt<\/a><\/td><td class="size">1234<\/td><td>2023-11-14 22:13<\/td>/);
  assert.not.match(html, '.hidden');
  assert.not.match(html, 'escape.txt', 'a link out of the root is not listed');
  assert.match(html, 'hello-link.txt', 'a link inside the root is');
  const names = [...html.matchAll(/<a href="[^"]*">([^<]*)<\/a>/g)].map((match) => match[1]);
  assert.equal(names, [
    '../',
    'sub/',
    '&quot;quote&#39;.txt',
    '%41 space.txt',
    '&lt;img src=x onerror=alert(1)&gt;.txt',
    'Alpha.txt',
    'a&amp;b&lt;c&gt;.txt',
    'hello-link.txt',
    'zeta.txt',
  ]);
  const dotted = (await ask('/docs/', {}, 'GET', { listing: true, dotfiles: true })).body.toString();
  assert.match(dotted, '.hidden');
  const capped = (await ask('/docs/', {}, 'GET', { listing: true, maxListingEntries: 2 })).body.toString();
  assert.match(capped, 'More entries are not shown');
  assert.is([...capped.matchAll(/<tr><td><a /g)].length, 3, 'two entries and the link up');
  const top = (await ask('/', {}, 'GET', { listing: true, index: [] })).body.toString();
  assert.not.match(top, 'href="../"', 'no way up from the root');
  assert.not.match(top, 'dir-out', 'a folder link out of the root is not listed');
  assert.not.match(top, 'fifo.txt', 'special files are not listed');
});

test('a FIFO, a missing file, and a file named as a folder are 404 (and a FIFO is not waited on)', async () => {
  assert.is((await ask('/fifo.txt')).status, 404);
  assert.is((await ask('/missing.txt')).status, 404);
  assert.is((await ask('/hello.txt/')).status, 404);
  assert.is((await ask('/hello.txt/x')).status, 404);
});

test('a slow connection holds the file at one chunk: nothing is read ahead while the output is full', async () => {
  const size = 4 * fileChunkSize;
  writeFileSync(join(top, 'root', 'mib.bin'), Buffer.alloc(size, 0x61));
  const { transport, done } = connect(staticFiles(root));
  transport.setWriteBlocked(true);
  transport.receive(head('/mib.bin'));
  await until(() => transport.value().length > 0, 'the first chunk');
  for (let i = 0; i < 50; i++) await turn();
  const written = transport.value().length;
  assert.ok(written < fileChunkSize + 1024, `${written} bytes written into a full output`);
  transport.setWriteBlocked(false);
  await until(() => done() > 0, 'the whole body');
  const [answer] = answers(transport.value(), ['GET']);
  assert.is(answer!.body.length, size);
  transport.loseConnection();
});

test('the file is closed when the client goes away mid-body: plain, ranges and compressed', async () => {
  const cases: Record<string, string>[] = [
    {},
    { Range: 'bytes=0-10,20000-900000' },
    { 'Accept-Encoding': 'gzip' },
    { 'Accept-Encoding': 'br' },
  ];
  for (const headers of cases) {
    const { transport } = connect(staticFiles(root));
    transport.setWriteBlocked(true);
    transport.receive(head('/noise.txt', headers));
    await until(() => transport.value().length > 0, 'the body to start');
    assert.is(
      openOn('noise.txt'),
      1,
      `the file is open while its body is written (${JSON.stringify(headers)})`,
    );
    transport.loseConnection();
    await until(() => openOn('noise.txt') === 0, `the file to close (${JSON.stringify(headers)})`);
  }
});

test('the file is closed when the client is gone before the answer is written', async () => {
  const { transport } = connect(staticFiles(root));
  transport.receive(head('/big.txt'));
  transport.loseConnection();
  await until(() => openOn('big.txt') === 0, 'the file to close');
  for (let i = 0; i < 50; i++) await turn();
  assert.is(openOn('big.txt'), 0, 'and it stays closed (opened late, closed at once)');
});

test('a file cut short while it is sent aborts the response (never passes for complete)', async () => {
  writeFileSync(join(root, 'shrinks.txt'), big);
  const records: string[] = [];
  const subscription = logRecords$.subscribe((record) => records.push(record.message));
  const { transport } = connect(staticFiles(root));
  transport.setWriteBlocked(true);
  transport.receive(head('/shrinks.txt'));
  await until(() => transport.value().length > 0, 'the body to start');
  truncateSync(join(root, 'shrinks.txt'), 100_000);
  transport.setWriteBlocked(false);
  await until(() => transport.aborted, 'the connection to be dropped');
  subscription.unsubscribe();
  assert.ok(
    records.some((message) => message.includes('failed after it started')),
    JSON.stringify(records),
  );
});

test('files of every size up to a few chunks come out whole (read whole, or streamed)', async () => {
  for (const size of [0, 1, fileChunkSize - 1, fileChunkSize, fileChunkSize + 1, 3 * fileChunkSize + 5]) {
    const bytes = Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
    writeFileSync(join(root, 'sized.bin'), bytes);
    const answer = await ask('/sized.bin');
    assert.is(answer.headers.get('content-length'), String(size));
    assert.ok(answer.body.equals(bytes), `${size} bytes`);
  }
});

test('options out of range are refused', () => {
  assert.throws(() => staticFiles(root, { maxRanges: 0 }), RangeError);
  assert.throws(() => staticFiles(root, { minCompressBytes: -1 }), RangeError);
  assert.throws(() => staticFiles(root, { maxListingEntries: 1.5 }), RangeError);
  for (const name of ['', '..', 'a/index.html', '..\\x', 'index\0.html']) {
    assert.throws(() => staticFiles(root, { index: [name] }), RangeError, JSON.stringify(name));
  }
});

test.run();
