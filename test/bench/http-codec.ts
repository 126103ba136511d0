/**
 * The HTTP/1.1 codec on its own, no sockets: requests parsed per second (pipelined in one buffer,
 * and one buffer each, as a keep-alive server reads them) by Spindle's `RequestParser` beside
 * llhttp (the C parser inside node:http, reached through `process.binding('http_parser')`, with
 * the callbacks node:http installs), and beside the bare cost of finding each head and decoding
 * it to a string (`indexOf` + latin1, no validation: what any parser must at least spend), which
 * splits Spindle's time into where it goes. Then the response head of a hello-world, by
 * `writeResponseHead` (the head exactly as given, into a Buffer) and by `writeServerResponseHead`
 * (what `httpServer` writes for every response: the status line, the handler's fields checked,
 * Content-Length, Date), each beside a hand-built template string of the same bytes. Run:
 * `npm run bench -- http-codec`.
 */
import { DateField } from '../../protocols/http/_date-field.js';
import type { ParseEvent, RequestHead } from '../../protocols/http/message.js';
import { RequestParser } from '../../protocols/http/parse-request.js';
import { writeResponseHead, writeServerResponseHead } from '../../protocols/http/write-response.js';
import { systemClock } from '../../source/system-clock.js';
import { alternate, median, printSection, table } from './_report.js';

const rounds = 11;
/** Requests per batch, and batches per sample (so a sample lasts tens of milliseconds). */
const pipelined = 1000;
const batches = 20;

/** The requests timed: what wrk sends, what a browser sends, and a small POST. */
const requests: Record<string, string> = {
  'wrk GET (40 B)': 'GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n',
  'browser GET (~480 B, 10 fields)': [
    'GET /assets/app.js?v=1234 HTTP/1.1',
    'Host: www.example.com',
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'Accept-Language: en-GB,en;q=0.5',
    'Accept-Encoding: gzip, deflate, br, zstd',
    'Connection: keep-alive',
    'Cookie: session=8f2c1d8e0b7a4c39a1e5f3d2b6c7a8e9; theme=dark; _ga=GA1.2.123456789.1700000000',
    'Upgrade-Insecure-Requests: 1',
    'Sec-Fetch-Dest: document',
    'If-None-Match: "5f3d2b6c7a8e9"',
    '',
    '',
  ].join('\r\n'),
  'POST, 64-byte body': `POST /api/items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n${'{"name":"widget","price":12.5,"tags":["a","b"],"stock":1000000}'.padEnd(64)}`,
};

let sink = 0;
/** Keeps a result alive, so the optimiser cannot drop the work that made it. */
const keep = (n: number): void => {
  sink = (sink + n) | 0;
};

/**
 * Spindle: one `push` per chunk, the event array reused. Header strings are made only when read:
 * with `readAll`, every field of every request is (as llhttp's binding hands them all to JS).
 */
function spindle(chunks: readonly Buffer[], readAll: boolean): () => number {
  const events: ParseEvent<RequestHead>[] = [];
  return () => {
    let heads = 0;
    const start = performance.now();
    for (let batch = 0; batch < batches; batch++) {
      const parser = new RequestParser();
      for (const chunk of chunks) {
        events.length = 0;
        parser.push(chunk, events);
        for (const event of events) {
          if (event.type !== 'head') continue;
          heads++;
          if (readAll) keep(event.head.headers.raw().length);
        }
      }
    }
    const elapsed = performance.now() - start;
    if (heads !== pipelined * batches) throw new Error(`Spindle parsed ${heads}`);
    return elapsed;
  };
}

interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(data: Buffer): number | Error;
  [key: number]: unknown;
}
interface LlhttpBinding {
  HTTPParser: {
    new (): LlhttpParser;
    REQUEST: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kOnExecute: number;
  };
}

/** node:http's llhttp binding, or undefined where `process.binding` is gone. */
function llhttpBinding(): LlhttpBinding | undefined {
  try {
    process.noDeprecation = true; // process.binding is deprecated (DEP0111): keep the output clean
    return (process as unknown as { binding(name: string): LlhttpBinding }).binding('http_parser');
  } catch {
    return undefined;
  }
}

/** llhttp as node:http drives it: one `execute` per chunk, the same callbacks. */
function llhttp({ HTTPParser }: LlhttpBinding, chunks: readonly Buffer[]): () => number {
  return () => {
    let count = 0;
    const parser = new HTTPParser();
    parser[HTTPParser.kOnHeaders] = () => {};
    parser[HTTPParser.kOnHeadersComplete] = (
      _major: number,
      _minor: number,
      headers: string[],
      method: number,
      url: string,
    ) => {
      keep(headers.length + method + url.length);
    };
    parser[HTTPParser.kOnBody] = (body: Buffer) => {
      keep(body.length);
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      count++;
    };
    const start = performance.now();
    for (let batch = 0; batch < batches; batch++) {
      parser.initialize(HTTPParser.REQUEST, {});
      for (const chunk of chunks) {
        const result = parser.execute(chunk);
        if (result instanceof Error) throw result;
      }
    }
    const elapsed = performance.now() - start;
    if (count !== pipelined * batches) throw new Error(`llhttp parsed ${count}`);
    return elapsed;
  };
}

/** The floor: find each head's end with indexOf and decode it to a string; nothing validated. */
function floor(chunks: readonly Buffer[], bodyLength: number): () => number {
  return () => {
    const start = performance.now();
    for (let batch = 0; batch < batches; batch++) {
      for (const chunk of chunks) {
        let at = 0;
        while (at < chunk.length) {
          const end = chunk.indexOf('\r\n\r\n', at, 'latin1');
          keep(chunk.toString('latin1', at, end).length);
          at = end + 4 + bodyLength;
        }
      }
    }
    return performance.now() - start;
  };
}

const rate = (ms: number): string =>
  (((pipelined * batches) / ms) * 1000).toLocaleString('en', { maximumFractionDigits: 0 });
const nsEach = (ms: number): number => (ms * 1e6) / (pipelined * batches);

const binding = llhttpBinding();
const rows: string[][] = [];
const split: string[][] = [];
for (const [name, request] of Object.entries(requests)) {
  const bodyLength = request.length - request.indexOf('\r\n\r\n') - 4;
  const ways: [string, Buffer[]][] = [
    [`${pipelined} pipelined in one chunk`, [Buffer.from(request.repeat(pipelined), 'latin1')]],
    ['one per chunk', Array.from({ length: pipelined }, () => Buffer.from(request, 'latin1'))],
  ];
  for (const [way, chunks] of ways) {
    const contenders: Record<string, () => number> = {
      spindle: spindle(chunks, false),
      spindleAll: spindle(chunks, true),
      floor: floor(chunks, bodyLength),
    };
    if (binding !== undefined) contenders.llhttp = llhttp(binding, chunks);
    for (let i = 0; i < 10; i++) for (const run of Object.values(contenders)) run(); // warm up
    const samples = await alternate(rounds, contenders);
    const spindleMs = median(samples.spindle!);
    const allMs = median(samples.spindleAll!);
    const floorMs = median(samples.floor!);
    const llhttpMs = samples.llhttp === undefined ? undefined : median(samples.llhttp);
    rows.push([
      `${name}, ${way}`,
      rate(spindleMs),
      rate(allMs),
      llhttpMs === undefined ? 'n/a' : rate(llhttpMs),
      llhttpMs === undefined ? 'n/a' : (llhttpMs / allMs).toFixed(2),
      rate(floorMs),
    ]);
    if (chunks.length === 1) {
      split.push([
        name,
        nsEach(floorMs).toFixed(0),
        nsEach(spindleMs - floorMs).toFixed(0),
        nsEach(allMs - spindleMs).toFixed(0),
        nsEach(allMs).toFixed(0),
        llhttpMs === undefined ? 'n/a' : nsEach(llhttpMs).toFixed(0),
      ]);
    }
  }
}

// Serialising: the head of a hello-world response (its length varies, as a real one's would, so
// the optimiser cannot fold the template into a constant).
const heads = 1_000_000;
const lengths = [12, 13];
function spindleHeads(): number {
  const start = performance.now();
  for (let i = 0; i < heads; i++) {
    keep(
      writeResponseHead(
        { status: 200, headers: { 'Content-Type': 'text/plain' } },
        { kind: 'length', length: lengths[i & 1]! },
      ).length,
    );
  }
  return ((performance.now() - start) * 1e6) / heads;
}
function templateHeads(): number {
  const start = performance.now();
  for (let i = 0; i < heads; i++) {
    keep(
      Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${lengths[i & 1]}\r\n\r\n`,
        'latin1',
      ).length,
    );
  }
  return ((performance.now() - start) * 1e6) / heads;
}
/** The server's `Date` line, as `httpServer` gets it: formatted once a second of the clock. */
const dateField = new DateField(systemClock);
/**
 * `writeServerResponseHead` as the server calls it for a keep-alive HTTP/1.1 response. Its head
 * is a string the socket encodes; a character is read to flatten it (V8 builds concatenations
 * lazily), as the socket's write will.
 */
function serverHeads(): number {
  const start = performance.now();
  for (let i = 0; i < heads; i++) {
    const { head } = writeServerResponseHead(
      { status: 200, headers: { 'Content-Type': 'text/plain' } },
      lengths[i & 1]!,
      { version: '1.1', keepAlive: true, date: dateField.line() },
    );
    keep((head as string).charCodeAt(0));
  }
  return ((performance.now() - start) * 1e6) / heads;
}
/** The same head as a template string, the cached Date line read the same way, flattened the same way. */
function serverTemplateHeads(): number {
  const start = performance.now();
  for (let i = 0; i < heads; i++) {
    const head = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${lengths[i & 1]}\r\n${dateField.line()}\r\n`;
    keep(head.charCodeAt(0));
  }
  return ((performance.now() - start) * 1e6) / heads;
}
for (const warm of [spindleHeads, templateHeads, serverHeads, serverTemplateHeads]) warm();
const written = await alternate(rounds, {
  spindle: spindleHeads,
  template: templateHeads,
  server: serverHeads,
  serverTemplate: serverTemplateHeads,
});
const writeNs = median(written.spindle);
const templateNs = median(written.template);
const serverNs = median(written.server);
const serverTemplateNs = median(written.serverTemplate);

const llhttpNote =
  binding === undefined
    ? '\n\nllhttp columns empty: `process.binding("http_parser")` is not reachable in this Node.'
    : '';
printSection(
  'HTTP/1.1 codec (`test/bench/http-codec.ts`)',
  `Requests parsed per second, ${pipelined} at a time, pipelined in one buffer or one buffer each (as a ` +
    `keep-alive server reads them); median of ${rounds} ` +
    'alternating rounds. Spindle: `RequestParser.push`, every byte validated, a head event with its ' +
    'HttpHeaders per request; header strings are decoded only when read, so the next column reads every ' +
    "field (`headers.raw()`), as llhttp's binding hands them all to JS. llhttp: node:http's C parser " +
    'through `process.binding("http_parser")`, with the callbacks node:http installs. Floor: `indexOf` ' +
    'of each CRLFCRLF and a latin1 decode of the head, nothing validated (what any parser spends at ' +
    'least). The ratio compares Spindle with every field read to llhttp.\n\n' +
    table(
      [
        'request',
        'Spindle req/s',
        'Spindle, every field read',
        'llhttp req/s',
        'Spindle (all read) / llhttp',
        'floor req/s',
      ],
      rows,
    ) +
    '\n\nWhere the time goes, in ns per request (pipelined): finding and decoding the head (the floor), ' +
    'then scanning and validating every byte and building the events (Spindle less the floor), then ' +
    'decoding every field to strings (every field read, less Spindle).\n\n' +
    table(
      [
        'request',
        'find + decode',
        'scan, validate, events',
        'field strings',
        'Spindle total',
        'llhttp total',
      ],
      split,
    ) +
    '\n\nResponse head of a hello-world (200, `Content-Type: text/plain`, a 12- or 13-byte body), in ns ' +
    'per head, beside a template string of the same bytes. `writeResponseHead`: the head exactly as ' +
    'given (status line cached, fields validated), into a Buffer. `writeServerResponseHead`: what ' +
    "`httpServer` writes for every response: the status line, the handler's fields checked (the " +
    'server owns framing, `Connection` and `Date`), `Content-Length`, the cached `Date` line, as a ' +
    'string the socket encodes (flattened, as the write will).\n\n' +
    table(
      ['serialiser', 'ns per head', 'template string ns', 'ratio'],
      [
        [
          '`writeResponseHead` → Buffer',
          writeNs.toFixed(0),
          templateNs.toFixed(0),
          (writeNs / templateNs).toFixed(2),
        ],
        [
          '`writeServerResponseHead` → string, with Date',
          serverNs.toFixed(0),
          serverTemplateNs.toFixed(0),
          (serverNs / serverTemplateNs).toFixed(2),
        ],
      ],
    ) +
    llhttpNote,
);
