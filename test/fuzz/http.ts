/**
 * Fuzz properties of the HTTP/1.1 codec: `writeRequestHead` / `writeResponseHead` with the
 * chunked coding (`chunkedWithTrailers`) against `RequestParser` / `ResponseParser`. Pipelined
 * messages, serialised then parsed at any split, come back field by field; any input at any split
 * (mutated messages, random bytes) yields only HttpParseError, messages within the parser's
 * limits, and the same events and status as the input in one chunk.
 *
 * @module
 */
import fc from 'fast-check';
import { chunkedWithTrailers } from '../../protocols/http/_chunked-encoding.js';
import type { HttpHeaders } from '../../protocols/http/headers.js';
import { HttpParseError } from '../../protocols/http/http-error.js';
import type { BodyFraming, HttpVersion, ParseEvent } from '../../protocols/http/message.js';
import { RequestParser, type RequestParserOptions } from '../../protocols/http/parse-request.js';
import { ResponseParser, type ResponseParserOptions } from '../../protocols/http/parse-response.js';
import { writeRequestHead } from '../../protocols/http/write-request.js';
import { writeResponseHead, writeServerResponseHead } from '../../protocols/http/write-response.js';
import { type FedEvents, feedEvents, type Message, messages } from '../protocols/http/_feed.js';
import {
  check,
  cut,
  cutPoints,
  type FuzzProperty,
  fuzzProperty,
  hostile,
  onlyTyped,
  same,
  unlessRefused,
} from './_fuzz.js';

type Field = [string, string];

const tokenCharacters = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = fc.string({ unit: fc.constantFrom(...tokenCharacters), minLength: 1, maxLength: 10 });
/** Fields whose meaning the parsers act on: the properties give them on purpose only. */
const framingFields = new Set([
  'host',
  'expect',
  'upgrade',
  'connection',
  'content-length',
  'transfer-encoding',
]);
const fieldName = token.filter((name) => !framingFields.has(name.toLowerCase()));
/** A value of field-content (latin1, obs-text included), without the whitespace a parser trims. */
const fieldValue = fc
  .string({
    unit: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)),
      fc.constant('\t'),
    ),
    maxLength: 16,
  })
  .map((value) => value.replace(/^[ \t]+|[ \t]+$/g, ''));
const fields = fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 5 });
const visible = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 16,
});
const hostValue = fc.string({ unit: fc.constantFrom(..."abcxyz019-._~!$&'()*+;=%:[]"), maxLength: 12 });
/** A body as the chunks it is written in. */
const bodyChunks = fc.array(fc.uint8Array({ minLength: 1, maxLength: 24 }), { maxLength: 4 });

/** A request as a client writes it. */
interface RequestModel {
  readonly method: string;
  readonly target: string;
  readonly version: HttpVersion;
  readonly host: string | undefined;
  readonly fields: Field[];
  /** A framing field the caller gives itself, rather than leave to the writer. */
  readonly declared: 'length' | 'chunked' | undefined;
  readonly framing: 'none' | 'length' | 'chunked';
  readonly body: Uint8Array[];
  readonly trailers: Field[];
}

const requestModel: fc.Arbitrary<RequestModel> = fc
  .record({
    method: fc.oneof({ weight: 4, arbitrary: token }, fc.constantFrom('CONNECT', 'OPTIONS')),
    target: fc.oneof(
      { weight: 3, arbitrary: visible.map((path) => `/${path}`) },
      fc
        .tuple(fc.stringMatching(/^[a-z][a-z0-9+.-]{0,5}$/), visible)
        .map(([scheme, rest]) => `${scheme}:${rest}`),
      fc.tuple(hostValue, fc.integer({ min: 0, max: 65535 })).map(([host, port]) => `${host}:${port}`),
      fc.constant('*'),
      visible.filter((target) => target.length > 0),
    ),
    version: fc.constantFrom<HttpVersion>('1.1', '1.1', '1.0'),
    host: fc.option(hostValue, { nil: undefined }),
    fields,
    declared: fc.option(fc.constantFrom<'length' | 'chunked'>('length', 'chunked'), { nil: undefined }),
    framing: fc.constantFrom<RequestModel['framing']>('none', 'length', 'chunked'),
    body: bodyChunks,
    trailers: fields,
  })
  .map((model) => ({
    ...model,
    host: model.version === '1.1' ? (model.host ?? 'example.test') : model.host,
  }));

/** A request's fields as the caller gives them: Host, its fields, and a framing field it declares. */
function requestFields(request: RequestModel): Field[] {
  const given: Field[] = request.host === undefined ? [] : [['Host', request.host]];
  given.push(...request.fields);
  if (request.declared === 'length')
    given.push(['Content-Length', String(Buffer.concat(request.body).length)]);
  if (request.declared === 'chunked') given.push(['Transfer-Encoding', 'chunked']);
  return given;
}

/** The request head `writeRequestHead` makes of `request`, or undefined when it refuses (TypeError). */
function writtenRequest(request: RequestModel, framing: BodyFraming): Uint8Array | undefined {
  const { method, target, version } = request;
  return unlessRefused(() =>
    writeRequestHead({ method, target, version, headers: requestFields(request) }, framing),
  );
}

/** The framing a model's body is written with. */
function framingOf(kind: RequestModel['framing'], body: readonly Uint8Array[]): BodyFraming {
  if (kind === 'length') return { kind, length: body.reduce((sum, chunk) => sum + chunk.length, 0) };
  return { kind };
}

/** A body written with `framing`: whole, or chunk by chunk with trailers after the last chunk. */
function bodyBytes(framing: BodyFraming, body: readonly Uint8Array[], trailers: Field[]): Buffer {
  if (framing.kind !== 'chunked') return framing.kind === 'none' ? Buffer.alloc(0) : Buffer.concat(body);
  const encoding = chunkedWithTrailers(trailers);
  return Buffer.concat(
    [...body.map((chunk) => encoding.chunk!(chunk)), encoding.end!()].map((part) => Buffer.from(part)),
  );
}

/** What a parser gives for a message: as `messages()` folds its events. */
function expected(
  head: Record<string, unknown>,
  framing: BodyFraming,
  body: readonly Uint8Array[],
  trailers: Field[],
): Message {
  const message: Message = {
    head: { ...head, framing },
    body: framing.kind === 'none' ? '' : Buffer.concat(body).toString('latin1'),
    ended: true,
  };
  if (framing.kind === 'chunked' && trailers.length > 0) message.trailers = trailers;
  return message;
}

const requestRoundTrip = fuzzProperty(
  'http: requests writeRequestHead and the chunked coding write parse back at any split',
  150,
  fc.tuple(fc.array(requestModel, { minLength: 1, maxLength: 3 }), cutPoints),
  ([requests, points]) => {
    const wire: Buffer[] = [];
    const wanted: Message[] = [];
    for (const request of requests) {
      const framing = framingOf(request.framing, request.body);
      const head = writtenRequest(request, framing);
      if (head === undefined) continue;
      wire.push(Buffer.from(head), bodyBytes(framing, request.body, request.trailers));
      const given = requestFields(request);
      const added = framing.kind !== 'none' && request.declared !== framing.kind;
      // `Content-Length: 0` given for no body says what `none` means
      const read: BodyFraming =
        framing.kind === 'none' && request.declared === 'length' ? { kind: 'length', length: 0 } : framing;
      const { method, target, version } = request;
      const keepAlive = version === '1.1';
      const upgrade = method === 'CONNECT';
      wanted.push(
        expected(
          {
            method,
            target,
            version,
            headers: added ? [...given, framingField(framing)] : given,
            keepAlive,
            expectContinue: false,
            upgrade,
          },
          read,
          request.body,
          request.trailers,
        ),
      );
      // the server reads no request after one that closes the connection or leaves HTTP
      if (!keepAlive || upgrade) break;
    }
    const fed = feedEvents(new RequestParser(), cut(Buffer.concat(wire), points));
    if (fed.error !== undefined) throw fed.error;
    same(messages(fed.events), wanted, 'the requests read');
  },
);

/** The framing field a writer adds for `framing`. */
function framingField(framing: BodyFraming): Field {
  return framing.kind === 'length'
    ? ['Content-Length', String(framing.length)]
    : ['Transfer-Encoding', 'chunked'];
}

/** A response as a server writes it, and the method of the request it answers. */
interface ResponseModel {
  readonly method: string;
  readonly status: number;
  readonly reason: string | undefined;
  readonly version: HttpVersion;
  readonly fields: Field[];
  /** A framing field the caller gives itself, rather than leave to the writer. */
  readonly declared: 'length' | 'chunked' | undefined;
  readonly framing: 'none' | 'length' | 'chunked' | 'until-close';
  readonly body: Uint8Array[];
  readonly trailers: Field[];
}

const responseModel: fc.Arbitrary<ResponseModel> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE'),
  status: fc.oneof(
    fc.integer({ min: 200, max: 599 }),
    fc.constantFrom(100, 103, 204, 304),
    fc.integer({ min: 600, max: 999 }),
  ),
  reason: fc.option(fieldValue, { nil: undefined }),
  version: fc.constantFrom<HttpVersion>('1.1', '1.1', '1.0'),
  fields,
  declared: fc.option(fc.constantFrom<'length' | 'chunked'>('length', 'chunked'), { nil: undefined }),
  framing: fc.constantFrom<ResponseModel['framing']>('none', 'length', 'chunked', 'until-close'),
  body: bodyChunks,
  trailers: fields,
});

/** The framing a response is written with, and the fields given with it. */
function responseHead(response: ResponseModel): { framing: BodyFraming; headers: Field[] } {
  const framing: BodyFraming =
    response.framing === 'until-close' ? { kind: 'until-close' } : framingOf(response.framing, response.body);
  const headers = [...response.fields];
  // a framing field given for no framing says what a body left out (HEAD, 304) would have had:
  // a property about bodies sent gives none there
  if (response.declared === 'length' && framing.kind !== 'none') {
    headers.push(['Content-Length', String(Buffer.concat(response.body).length)]);
  }
  if (response.declared === 'chunked' && framing.kind !== 'none')
    headers.push(['Transfer-Encoding', 'chunked']);
  return { framing, headers };
}

/** The response head `writeResponseHead` makes, or undefined when it refuses (TypeError). */
function writtenResponse(
  response: ResponseModel,
  framing: BodyFraming,
  headers: Field[],
): Uint8Array | undefined {
  const { status, reason, version } = response;
  return unlessRefused(() => writeResponseHead({ status, reason, version, headers }, framing));
}

const responseRoundTrip = fuzzProperty(
  'http: responses writeResponseHead and the chunked coding write parse back at any split',
  150,
  fc.tuple(fc.array(responseModel, { minLength: 1, maxLength: 3 }), cutPoints),
  ([responses, points]) => {
    const parser = new ResponseParser();
    const wire: Buffer[] = [];
    const wanted: Message[] = [];
    let pending: Message[] = []; // interim responses, kept until their final one is written
    for (const response of responses) {
      const { method, status, version } = response;
      const { framing, headers } = responseHead(response);
      const head = writtenResponse(response, framing, headers);
      if (head === undefined) continue;
      const interim = status < 200;
      const bodiless = interim || method === 'HEAD' || status === 204 || status === 304;
      // a response with a body and no framing field is read until the connection closes
      const untilClose = !bodiless && (framing.kind === 'none' || framing.kind === 'until-close');
      const added =
        (framing.kind === 'length' || framing.kind === 'chunked') && response.declared !== framing.kind;
      const read: BodyFraming = bodiless ? { kind: 'none' } : untilClose ? { kind: 'until-close' } : framing;
      const keepAlive = interim || (read.kind !== 'until-close' && version === '1.1');
      const reason = response.reason ?? STATUS_REASONS.get(status) ?? '';
      const message = expected(
        {
          version,
          status,
          reason,
          headers: added ? [...headers, framingField(framing)] : headers,
          keepAlive,
          expectContinue: false,
          upgrade: false,
          interim,
        },
        read,
        framing.kind === 'none' ? [] : response.body,
        response.trailers,
      );
      if (interim) {
        pending.push({ ...message, ended: false });
        wire.push(Buffer.from(head));
        continue;
      }
      wire.push(Buffer.from(head));
      if (!bodiless && framing.kind !== 'none')
        wire.push(bodyBytes(framing, response.body, response.trailers));
      parser.expect(method);
      wanted.push(...pending, message);
      pending = [];
      if (!keepAlive) break;
    }
    // interim responses with no final one after them answer no request sent: leave them out
    const bytes = Buffer.concat(wire.slice(0, wire.length - pending.length));
    const fed = feedEvents(parser, cut(bytes, points));
    if (fed.error !== undefined) throw fed.error;
    same(messages(fed.events), wanted, 'the responses read');
  },
);

/** The reason phrases writeResponseHead fills in, as Node knows them. */
const STATUS_REASONS = new Map(
  Array.from({ length: 900 }, (_, at) => at + 100).map((status) => {
    const line = Buffer.from(writeResponseHead({ status }, { kind: 'none' })).toString('latin1');
    return [status, line.slice(13, line.indexOf('\r\n'))] as const;
  }),
);

/** What a parse came to, for comparing two chunkings: the messages, and the error's class and status. */
function outcome<H>(fed: FedEvents<H>): { messages: Message[]; error: string } {
  onlyTyped(fed.error, HttpParseError);
  const error = fed.error as HttpParseError | undefined;
  return {
    messages: messages(fed.events),
    error: error === undefined ? 'none' : `${error.constructor.name} ${error.status}`,
  };
}

/** Checks each parsed head and body against the limits it was parsed under. */
function withinLimits(
  events: readonly ParseEvent<object>[],
  limits: RequestParserOptions & ResponseParserOptions,
): void {
  const maxHeaders = limits.maxHeaders ?? 100;
  const maxHeaderBytes = limits.maxHeaderBytes ?? 16384;
  let body = 0;
  for (const event of events) {
    if (event.type === 'body') {
      body += event.data.length;
      check(
        body <= (limits.maxBodyBytes ?? Number.POSITIVE_INFINITY),
        `a body of ${body} bytes, over the limit`,
      );
      continue;
    }
    const headers = event.type === 'head' ? (event.head as { headers: HttpHeaders }).headers : event.trailers;
    if (event.type === 'head') {
      body = 0;
      const { method, target } = event.head as { method?: string; target?: string };
      if (method !== undefined) {
        const line = method.length + target!.length + 10;
        check(line <= (limits.maxRequestLine ?? 8192), `a request line of ${line} bytes, over the limit`);
      }
    }
    if (headers === undefined) continue;
    check(headers.size <= maxHeaders, `${headers.size} fields, over ${maxHeaders}`);
    const size = headers.raw().reduce((sum, [name, value]) => sum + name.length + value.length + 3, 2);
    check(size <= maxHeaderBytes, `a field section of ${size} bytes, over ${maxHeaderBytes}`);
  }
}

const limits = fc.record(
  {
    maxRequestLine: fc.integer({ min: 0, max: 80 }),
    maxStatusLine: fc.integer({ min: 0, max: 80 }),
    maxHeaderBytes: fc.integer({ min: 0, max: 200 }),
    maxHeaders: fc.integer({ min: 0, max: 6 }),
    maxBodyBytes: fc.integer({ min: 0, max: 100 }),
    maxChunkLine: fc.integer({ min: 0, max: 12 }),
  },
  { requiredKeys: [] },
);

/** Pipelined requests, as bytes: what the mutations start from. */
const requestBytes = fc.array(requestModel, { minLength: 1, maxLength: 3 }).map((requests) =>
  Buffer.concat(
    requests.flatMap((request) => {
      const framing = framingOf(request.framing, request.body);
      const head = writtenRequest(request, framing);
      return head === undefined
        ? []
        : [Buffer.from(head), bodyBytes(framing, request.body, request.trailers)];
    }),
  ),
);

const requestHostile = fuzzProperty(
  'http: any input at any split gives requests within the limits, or HttpParseError, as in one chunk',
  200,
  fc.tuple(limits, hostile(requestBytes)),
  ([options, input]) => {
    const parser = new RequestParser(options);
    const fed = feedEvents(parser, input.chunks);
    onlyTyped(fed.error, HttpParseError);
    withinLimits(fed.events, options);
    if (parser.paused)
      check(parser.detach().length <= (options.maxHeaderBytes ?? 16384), 'held past the limit');
    const whole = feedEvents(new RequestParser(options), [Uint8Array.from(input.bytes)]);
    same(outcome(fed), outcome(whole), 'the split parse (vs in one chunk)');
  },
);

const responseBytes = fc.array(responseModel, { minLength: 1, maxLength: 3 }).map((responses) =>
  Buffer.concat(
    responses.flatMap((response) => {
      const { framing, headers } = responseHead(response);
      const head = writtenResponse(response, framing, headers);
      if (head === undefined) return [];
      const body =
        response.status < 200 ? Buffer.alloc(0) : bodyBytes(framing, response.body, response.trailers);
      return [Buffer.from(head), body];
    }),
  ),
);

const responseHostile = fuzzProperty(
  'http: any input at any split gives responses within the limits, or HttpParseError, as in one chunk',
  200,
  fc.tuple(
    limits,
    fc.array(fc.constantFrom('GET', 'HEAD', 'CONNECT', 'POST'), { maxLength: 4 }),
    hostile(responseBytes),
  ),
  ([options, methods, input]) => {
    const make = (): ResponseParser => {
      const parser = new ResponseParser(options);
      for (const method of methods) parser.expect(method);
      return parser;
    };
    const fed = feedEvents(make(), input.chunks);
    onlyTyped(fed.error, HttpParseError);
    withinLimits(fed.events, options);
    same(
      outcome(fed),
      outcome(feedEvents(make(), [Uint8Array.from(input.bytes)])),
      'the split parse (vs in one chunk)',
    );
  },
);

/** Fields a server's handler gives: its own, and the ones the server owns and reads or drops. */
const handlerFields = fc
  .tuple(
    fields,
    fc.array(
      fc.oneof(
        fc.constantFrom<Field>(
          ['Connection', 'close'],
          ['connection', 'keep-alive'],
          ['Transfer-Encoding', 'chunked'],
        ),
        fc.constantFrom<Field>(
          ['Date', 'Thu, 01 Jan 1970 00:00:00 GMT'],
          ['Content-Length', '3'],
          ['content-length', ' 0'],
        ),
      ),
      { maxLength: 2 },
    ),
  )
  .map(([own, owned]) => [...own, ...owned]);

const serverFields = new Set(['connection', 'content-length', 'transfer-encoding']);

const serverResponse = fuzzProperty(
  'http: a head writeServerResponseHead writes parses as the response it says, with the framing it says',
  150,
  fc.record({
    status: fc.oneof(fc.integer({ min: 200, max: 999 }), fc.constantFrom(204, 304)),
    reason: fc.option(fieldValue, { nil: undefined }),
    headers: handlerFields,
    size: fc.option(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 40 })), { nil: undefined }),
    version: fc.constantFrom<HttpVersion>('1.1', '1.0'),
    keepAlive: fc.boolean(),
    body: bodyChunks,
    points: cutPoints,
  }),
  ({ status, reason, headers, size, version, keepAlive, body, points }) => {
    const date = 'Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n';
    const written = unlessRefused(() =>
      writeServerResponseHead({ status, reason, headers }, size, { version, keepAlive, date }),
    );
    if (written === undefined) return; // a Content-Length that is not the body's size
    const { framing, close } = written;
    const bytes = framing.kind === 'length' ? framing.length : Buffer.concat(body).length;
    const content = Buffer.alloc(bytes, 0x61);
    const wire: Uint8Array[] = [
      typeof written.head === 'string' ? Buffer.from(written.head, 'latin1') : written.head,
    ];
    const head = size === -1 || status === 204 || status === 304;
    if (!head && framing.kind === 'chunked') wire.push(bodyBytes(framing, body, []));
    else if (!head && framing.kind !== 'none') wire.push(content);
    const parser = new ResponseParser();
    parser.expect(size === -1 ? 'HEAD' : 'GET');
    const fed = feedEvents(parser, cut(Buffer.concat(wire), points));
    if (fed.error !== undefined) throw fed.error;
    const [message] = messages(fed.events);
    check(message?.ended === true, 'the response did not end');
    const read = head ? { kind: 'none' } : framing;
    same(
      {
        status: message.head.status,
        reason: message.head.reason,
        framing: message.head.framing,
        keepAlive: message.head.keepAlive,
      },
      { status, reason: reason ?? STATUS_REASONS.get(status), framing: read, keepAlive: !close },
      'the response read',
    );
    const own = headers.filter(([name]) => !serverFields.has(name.toLowerCase()));
    same((message.head.headers as Field[]).slice(0, own.length), own, "the handler's own fields");
  },
);

/** Every property of the HTTP codec. */
export const properties: readonly FuzzProperty[] = [
  requestRoundTrip,
  responseRoundTrip,
  requestHostile,
  responseHostile,
  serverResponse,
];
