/**
 * RFC 1035 master files (section 5): `parseZoneFile` reads a zone's text into records,
 * `loadZoneFile` reads a file (and the files it `$INCLUDE`s) into a `Zone`. Both refuse a zone
 * the DNS would not serve, naming the file and line.
 *
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { fileProblem } from '../../source/_file-problem.js';
import { Deferred } from '../../source/deferred.js';
import { looksLikeTime, maxTtl, timeValue } from './_time-value.js';
import { indexZone } from './_zone-index.js';
import { type ZoneEntry, type ZoneToken, zoneEntries } from './_zone-lexer.js';
import type { RecordData, ResourceRecord } from './message.js';
import { nameFromText, parseRecordData } from './record-text.js';
import {
  classCode,
  className,
  queryOnlyTypeCodes,
  type RecordClass,
  typeCode,
  typeName,
} from './record-types.js';
import { Zone, type ZoneFileData } from './zone.js';
import { RecordSyntaxError, ZoneFileError } from './zone-error.js';

export type { ZoneFileData } from './zone.js';

/** Options of `parseZoneFile`. */
export interface ZoneFileOptions {
  /**
   * The zone's apex (a final dot is optional), and the origin of relative names until a
   * `$ORIGIN`. Default: the owner of the SOA record, names relative to a `$ORIGIN` given first.
   */
  origin?: string;
  /** The file name errors give. Default `<zone>`. */
  file?: string;
  /** The TTL of records that give none, until a `$TTL`. Default none (see `parseZoneFile`). */
  defaultTtl?: number;
}

/** Options of `loadZoneFile`. */
export interface LoadZoneFileOptions extends Omit<ZoneFileOptions, 'file'> {
  /** The largest file read, the main one and each included one, in bytes. Default 64 MiB. */
  maxFileBytes?: number;
}

/** The deepest nesting of `$INCLUDE`s. */
const maxIncludeDepth = 8;
const defaultMaxFileBytes = 64 * 1024 * 1024;

/**
 * Reads a zone file's text. It supports `$ORIGIN`, `$TTL` (RFC 2308), relative names and `@`, a
 * blank owner (the previous record's), TTL and class in either order or left out, BIND's time
 * units (`1h`, `2d`, `1w3d`), parentheses across lines, `;` comments, quoted strings with
 * escapes, and escapes in names. `$INCLUDE` needs files: only `loadZoneFile` reads it.
 *
 * A record without a TTL takes the `$TTL`; with none, the last TTL given (RFC 1035); with none
 * either, an SOA takes its minimum, as BIND does; anything else is refused.
 *
 * @throws ZoneFileError (`<file>:<line>: <reason>`, line 0 for the whole file) for an unknown type,
 * class or directive; bad record data; unbalanced parentheses or quotes; a name outside the zone;
 * no SOA, an SOA below the apex or two; a CNAME beside other data, or two; a TTL out of range.
 * @example
 * ```ts
 * const { records } = parseZoneFile('$TTL 1h\n@ SOA ns hostmaster 1 1h 15m 1w 5m\n@ NS ns\nns A 192.0.2.53\n', {
 *   origin: 'example.test',
 * });
 * ```
 */
export function parseZoneFile(text: string, options: ZoneFileOptions = {}): ZoneFileData {
  const file = options.file ?? '<zone>';
  const state = initialState(options, file);
  const step = parseText(state, text, file, []).next();
  if (!step.done) {
    throw new ZoneFileError(step.value.from, step.value.line, '$INCLUDE needs files: use loadZoneFile');
  }
  return finish(state, file);
}

/**
 * Reads the zone file at `path` (and those it `$INCLUDE`s, relative to the including file) into
 * a `Zone`, as `parseZoneFile` reads text. `$INCLUDE <file> [<origin>]` reads the file with that
 * origin (default the current one); after it, the including file's origin is back, while `$TTL`
 * and the last owner and TTL carry on.
 *
 * @returns a Deferred that fires with the zone, or fails with a `ZoneFileError`, or with Node's
 * error (naming the path) when the file cannot be read.
 * @example
 * ```ts
 * const zone = await loadZoneFile('/etc/spindle/example.test.zone', { origin: 'example.test' });
 * ```
 */
export function loadZoneFile(path: string, options: LoadZoneFileOptions = {}): Deferred<Zone> {
  const maxBytes = options.maxFileBytes ?? defaultMaxFileBytes;
  const load = async () => {
    const state = initialState(options, path);
    let main: string;
    try {
      main = await readText(path, maxBytes);
    } catch (error) {
      if (error instanceof ZoneFileError) throw error;
      throw new ZoneFileError(path, 0, `cannot read it: ${fileProblem(error as Error)}`, { cause: error });
    }
    const parser = parseText(state, main, path, []);
    for (let step = parser.next(); !step.done; ) {
      const { path: included, from, line } = step.value;
      let text: string;
      try {
        text = await readText(included, maxBytes);
      } catch (error) {
        const problem = error instanceof ZoneFileError ? error.message : fileProblem(error as Error);
        throw new ZoneFileError(from, line, `cannot read ${included}: ${problem}`, { cause: error });
      }
      step = parser.next(text);
    }
    return new Zone(finish(state, path));
  };
  return Deferred.fromPromise(load());
}

/** A file's text, if it is not over `maxBytes` (a `ZoneFileError`); rejects with the file system's error. */
async function readText(path: string, maxBytes: number): Promise<string> {
  const { size } = await stat(path);
  if (size > maxBytes)
    throw new ZoneFileError(path, 0, `file of ${size} bytes, over the limit of ${maxBytes}`);
  return readFile(path, 'utf8');
}

/** A `$INCLUDE` met: the file to read, and where it was asked for. */
interface IncludeRequest {
  readonly path: string;
  readonly from: string;
  readonly line: number;
}

/** What the parser carries from one entry to the next. */
interface ParseState {
  /** The apex the options gave. */
  readonly apex: string | undefined;
  origin: string | undefined;
  defaultTtl: number | undefined;
  lastTtl: number | undefined;
  lastOwner: string | undefined;
  lastClass: RecordClass;
  readonly records: ResourceRecord[];
  /** Where each record was: its file and line. */
  readonly places: { file: string; line: number }[];
}

function initialState(options: ZoneFileOptions, file: string): ParseState {
  const apex =
    options.origin === undefined
      ? undefined
      : wrap(file, 0, () => nameFromText(options.origin as string, ''));
  return {
    apex,
    origin: apex,
    defaultTtl: options.defaultTtl,
    lastTtl: undefined,
    lastOwner: undefined,
    lastClass: 'IN',
    records: [],
    places: [],
  };
}

/**
 * Parses `text` into `state`, yielding for each `$INCLUDE` the file to read and taking its text
 * back. `including` holds the files that include this one, to refuse a loop.
 */
function* parseText(
  state: ParseState,
  text: string,
  file: string,
  including: readonly string[],
): Generator<IncludeRequest, void, string> {
  for (const entry of zoneEntries(text, file)) {
    const first = entry.tokens[0] as ZoneToken;
    if (entry.blankOwner || first.quoted || !first.text.startsWith('$')) {
      parseRecord(state, entry, file);
    } else if (first.text.toUpperCase() === '$INCLUDE') {
      const [, target, origin] = directiveArguments(entry, file, 1, 2);
      const path = isAbsolute(target as string) ? (target as string) : join(dirname(file), target as string);
      if (including.length >= maxIncludeDepth)
        fail(file, entry.line, `$INCLUDE nested over ${maxIncludeDepth} deep`);
      if (path === file || including.includes(path)) fail(file, entry.line, `$INCLUDE loop: ${path}`);
      const included = yield { path, from: file, line: entry.line };
      const outer = state.origin;
      if (origin !== undefined) state.origin = wrap(file, entry.line, () => nameFromText(origin, outer));
      yield* parseText(state, included, path, [...including, file]);
      state.origin = outer;
    } else {
      parseDirective(state, entry, file);
    }
  }
}

/** `$ORIGIN` or `$TTL`. */
function parseDirective(state: ParseState, entry: ZoneEntry, file: string): void {
  const name = (entry.tokens[0] as ZoneToken).text.toUpperCase();
  if (name === '$ORIGIN') {
    const [, origin] = directiveArguments(entry, file, 1, 1);
    state.origin = wrap(file, entry.line, () => nameFromText(origin as string, state.origin));
  } else if (name === '$TTL') {
    const [, ttl] = directiveArguments(entry, file, 1, 1);
    state.defaultTtl = wrap(file, entry.line, () => timeValue(ttl as string, maxTtl));
  } else {
    fail(file, entry.line, `unknown directive ${name}`);
  }
}

/** The directive's name and its `min` to `max` arguments (unquoted but for a file name). */
function directiveArguments(entry: ZoneEntry, file: string, min: number, max: number): string[] {
  const count = entry.tokens.length - 1;
  const name = (entry.tokens[0] as ZoneToken).text.toUpperCase();
  if (count < min || count > max) {
    fail(
      file,
      entry.line,
      `${name} takes ${min === max ? min : `${min} or ${max}`} argument${max === 1 ? '' : 's'}, got ${count}`,
    );
  }
  return entry.tokens.map((token) => token.text);
}

/** One record: `[owner] [ttl] [class] type data…`, TTL and class in either order. */
function parseRecord(state: ParseState, entry: ZoneEntry, file: string): void {
  const tokens = entry.tokens;
  let at = 0;
  let name = state.lastOwner;
  if (!entry.blankOwner) {
    const owner = tokens[at++] as ZoneToken;
    name = wrap(file, owner.line, () => nameFromText(owner.text, state.origin));
  }
  if (name === undefined) fail(file, entry.line, 'no owner name: the first record must give one');
  let ttl: number | undefined;
  let recordClass: RecordClass | undefined;
  for (let token = tokens[at]; token !== undefined && !token.quoted; token = tokens[at]) {
    if (ttl === undefined && looksLikeTime(token.text)) {
      ttl = wrap(file, token.line, () => timeValue(token.text, maxTtl));
    } else if (
      recordClass === undefined &&
      typeCode(token.text) === undefined &&
      classCode(token.text) !== undefined
    ) {
      recordClass = className(classCode(token.text) as number);
    } else {
      break;
    }
    at++;
  }
  const typeToken = tokens[at];
  if (typeToken === undefined) fail(file, entry.line, 'no type');
  const type = recordType(typeToken, file);
  const dataTokens = tokens.slice(at + 1);
  let data: RecordData;
  try {
    data = parseRecordData(type, dataTokens, state.origin);
  } catch (error) {
    if (!(error instanceof RecordSyntaxError)) throw error;
    const line = dataTokens[error.index ?? 0]?.line ?? typeToken.line;
    throw new ZoneFileError(file, line, error.message, { cause: error });
  }
  state.lastOwner = name;
  state.lastClass = recordClass ?? state.lastClass;
  if (ttl !== undefined) state.lastTtl = ttl;
  const resolvedTtl =
    ttl ?? state.defaultTtl ?? state.lastTtl ?? (data.type === 'SOA' ? data.minimum : undefined);
  if (resolvedTtl === undefined) fail(file, entry.line, 'no TTL: give one, or a $TTL before this record');
  if (resolvedTtl > maxTtl)
    fail(file, entry.line, `TTL ${resolvedTtl} (the SOA minimum) out of range (at most ${maxTtl})`);
  state.lastTtl ??= resolvedTtl;
  state.records.push({ name, ttl: resolvedTtl, class: state.lastClass, ...data });
  state.places.push({ file, line: entry.line });
}

/** The type a token names, if a zone may hold it. */
function recordType(token: ZoneToken, file: string): RecordData['type'] {
  const code = token.quoted ? undefined : typeCode(token.text);
  if (code === undefined) fail(file, token.line, `unknown type "${token.text}"`);
  const type = typeName(code);
  if (type in queryOnlyTypeCodes) fail(file, token.line, `type ${type} cannot be in a zone`);
  return type as RecordData['type'];
}

/** The parsed records as a zone: its apex given or the SOA's owner, every rule checked. */
function finish(state: ParseState, file: string): ZoneFileData {
  const apex = state.apex ?? state.records.find((record) => record.type === 'SOA')?.name;
  if (apex === undefined) fail(file, 0, 'no SOA record');
  const index = indexZone(apex, state.records);
  if ('reason' in index) {
    const place = index.index === undefined ? { file, line: 0 } : state.places[index.index];
    fail(place?.file ?? file, place?.line ?? 0, index.reason);
  }
  return { origin: apex, records: state.records };
}

/** `read()`, its RecordSyntaxError placed at `file:line`. */
function wrap<T>(file: string, line: number, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof RecordSyntaxError)
      throw new ZoneFileError(file, line, error.message, { cause: error });
    throw error;
  }
}

function fail(file: string, line: number, reason: string): never {
  throw new ZoneFileError(file, line, reason);
}
