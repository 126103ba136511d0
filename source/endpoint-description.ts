/**
 * Twisted-style endpoint descriptions (`tcp:8080:interface=127.0.0.1`, `tls:host=…:port=…`,
 * `unix:/tmp/s.sock`, `udp:5353`) parsed into endpoint objects. A backslash escapes the next
 * character, so `tcp6:8080:interface=\:\:1` binds `::1`.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileProblem } from './_file-problem.js';
import type { TLSOptions } from './connection.js';
import { EndpointFileError, EndpointSyntaxError } from './errors.js';

/** Where to listen for TCP (`tcp:`, `tcp6:`) connections. */
export interface TCPServerEndpoint {
  readonly type: 'tcp';
  readonly port: number;
  /** The interface to bind; default all IPv4 and IPv6 interfaces (`tcp6:` default `::`). */
  readonly host?: string;
  readonly backlog?: number;
}

/** Where to listen for TLS (`tls:`, `ssl:`) connections, with the server's key and certificate. */
export interface TLSServerEndpoint {
  readonly type: 'tls';
  readonly port: number;
  readonly host?: string;
  readonly backlog?: number;
  readonly tls: TLSOptions;
}

/** A Unix domain socket to listen on. */
export interface UnixServerEndpoint {
  readonly type: 'unix';
  readonly path: string;
  /** File mode of the socket file, e.g. 0o660. */
  readonly mode?: number;
  readonly backlog?: number;
}

/** A UDP port to bind. */
export interface UDPEndpoint {
  readonly type: 'udp';
  readonly port: number;
  readonly host?: string;
  /** `udp6` for IPv6; default `udp4` (or `udp6` when `host` is an IPv6 address). */
  readonly family?: 'udp4' | 'udp6';
}

/** Any stream server endpoint. */
export type StreamServerEndpoint = TCPServerEndpoint | TLSServerEndpoint | UnixServerEndpoint;

/** Any server endpoint. */
export type ServerEndpoint = StreamServerEndpoint | UDPEndpoint;

/** A TCP server to connect to. */
export interface TCPClientEndpoint {
  readonly type: 'tcp';
  readonly host: string;
  readonly port: number;
  /** Seconds to wait for the connection; default 30. */
  readonly timeout?: number;
  /** Local address to connect from. */
  readonly bindAddress?: string;
}

/** A TLS server to connect to; its certificate is verified against `tls.ca` or the system roots. */
export interface TLSClientEndpoint {
  readonly type: 'tls';
  readonly host: string;
  readonly port: number;
  readonly timeout?: number;
  readonly bindAddress?: string;
  readonly tls: TLSOptions;
}

/** A Unix domain socket to connect to. */
export interface UnixClientEndpoint {
  readonly type: 'unix';
  readonly path: string;
  readonly timeout?: number;
}

/** Any client endpoint. */
export type ClientEndpoint = TCPClientEndpoint | TLSClientEndpoint | UnixClientEndpoint;

interface Parsed {
  readonly type: string;
  readonly positional: string[];
  readonly named: Map<string, string>;
  readonly description: string;
}

/** Splits a description on unescaped `:` and `=` (Twisted's endpoint syntax). */
function tokenize(description: string): Parsed {
  const parts: { text: string; equals: number }[] = [];
  let text = '';
  let equals = -1;
  for (let i = 0; i < description.length; i++) {
    const char = description[i]!;
    if (char === '\\') {
      i++;
      if (i >= description.length) throw syntax(description, 'it ends with a lone backslash');
      text += description[i];
    } else if (char === ':') {
      parts.push({ text, equals });
      text = '';
      equals = -1;
    } else {
      if (char === '=' && equals < 0) equals = text.length;
      text += char;
    }
  }
  parts.push({ text, equals });
  const [first, ...rest] = parts;
  const type = first!.text.toLowerCase();
  if (type === '') throw syntax(description, 'no endpoint type before the first ":"');
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (const part of rest) {
    if (part.equals < 0) {
      if (named.size > 0) throw syntax(description, `positional argument "${part.text}" after named ones`);
      positional.push(part.text);
    } else {
      const key = part.text.slice(0, part.equals);
      if (named.has(key)) throw syntax(description, `parameter "${key}" is given twice`);
      named.set(key, part.text.slice(part.equals + 1));
    }
  }
  return { type, positional, named, description };
}

function syntax(description: string, problem: string): EndpointSyntaxError {
  return new EndpointSyntaxError(`bad endpoint description "${description}": ${problem}`);
}

/** Reads parameters by name or position, and complains about any left unread. */
class Arguments {
  private readonly _used = new Set<string>();
  private _position = 0;

  constructor(
    private readonly _parsed: Parsed,
    private readonly _kind: string,
  ) {}

  /** The next positional argument, or the named one. */
  take(name: string, positional = true): string | undefined {
    this._used.add(name);
    const named = this._parsed.named.get(name);
    if (named !== undefined) return named;
    if (positional && this._position < this._parsed.positional.length)
      return this._parsed.positional[this._position++];
    return undefined;
  }

  required(name: string, positional = true): string {
    const value = this.take(name, positional);
    if (value === undefined || value === '') throw this.error(`missing ${name}`);
    return value;
  }

  port(name = 'port', positional = true): number {
    const text = this.required(name, positional);
    const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (!(port >= 0 && port <= 65535)) throw this.error(`${name} "${text}" is not a number from 0 to 65535`);
    return port;
  }

  number(name: string, check: (n: number) => boolean, what: string): number | undefined {
    const text = this.take(name, false);
    if (text === undefined) return undefined;
    const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!check(n)) throw this.error(`${name} "${text}" is not ${what}`);
    return n;
  }

  /** Reads the file (or folder) the named parameter gives, if it is given. */
  file(name: string): PemFile | undefined {
    const path = this.take(name, false);
    return path === undefined ? undefined : readPem(name, path, this._parsed.description);
  }

  /** The PEM blocks of one kind in a file that was read; see `pemBlocks`. */
  blocks(file: PemFile, kind: keyof typeof pemKinds): Buffer {
    return pemBlocks(file, kind, this._parsed.description);
  }

  error(problem: string): EndpointSyntaxError {
    return syntax(this._parsed.description, `${this._kind}: ${problem}`);
  }

  /** Throws if any argument was not read. */
  finish(): void {
    if (this._position < this._parsed.positional.length) {
      throw this.error(`unexpected argument "${this._parsed.positional[this._position]}"`);
    }
    for (const key of this._parsed.named.keys()) {
      if (!this._used.has(key)) throw this.error(`unknown parameter "${key}"`);
    }
  }
}

const isBacklog = (n: number) => Number.isInteger(n) && n > 0;
const isTimeout = (n: number) => Number.isFinite(n) && n > 0;

/** A PEM file (or, for `caCerts`, a folder of them) named in a description, read. */
interface PemFile {
  /** The parameter that names it (`certKey`, `caCerts` …). */
  readonly parameter: string;
  /** The path as the description writes it. */
  readonly path: string;
  /** Its contents; one buffer per file of a folder. */
  readonly contents: Buffer[];
}

/** Reads a PEM file, or every file in a folder of PEM files (Twisted's `caCerts` directory). */
function readPem(parameter: string, path: string, description: string): PemFile {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
    const contents = folder
      ? readdirSync(path)
          .sort()
          .map((name) => readFileSync(join(path, name)))
      : [readFileSync(path)];
    return { parameter, path, contents };
  } catch (error) {
    const failed = error as Error & { code?: string; path?: string };
    const inside = folder && failed.path !== undefined && failed.path !== path ? `"${failed.path}": ` : '';
    throw new EndpointFileError(
      `cannot read the ${parameter} ${folder ? 'folder' : 'file'} "${path}" named in "${description}": ${inside}${fileProblem(failed)}`,
      { path, parameter, cause: error },
    );
  }
}

const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const pemKinds = {
  certificate: { test: (label: string) => /^(TRUSTED )?CERTIFICATE$/.test(label), what: 'no certificate' },
  key: { test: (label: string) => /^([A-Z0-9]+ )*PRIVATE KEY$/.test(label), what: 'no private key' },
} as const;

/**
 * The certificate blocks, or the first private key block, of a PEM file: so that one file may hold
 * both. A file with no PEM block at all is given whole, for Node to judge.
 */
function pemBlocks(file: PemFile, kind: keyof typeof pemKinds, description: string): Buffer {
  const whole = Buffer.concat(file.contents);
  const text = whole.toString('latin1');
  const blocks = [...text.matchAll(pemBlock)];
  if (blocks.length === 0) return whole;
  const wanted = blocks.filter((block) => pemKinds[kind].test(block[1]!)).map((block) => block[0]);
  if (wanted.length === 0) {
    throw new EndpointFileError(
      `the ${file.parameter} file "${file.path}" named in "${description}" holds ${pemKinds[kind].what}`,
      { path: file.path, parameter: file.parameter },
    );
  }
  return Buffer.from(`${(kind === 'key' ? wanted.slice(0, 1) : wanted).join('\n')}\n`, 'latin1');
}

/**
 * Parses a server endpoint description.
 *
 * - `tcp:PORT[:interface=HOST][:backlog=N]`, `tcp6:PORT[:interface=HOST]` (default `::`)
 * - `tls:PORT:certKey=CERT.pem:privateKey=KEY.pem[:interface=HOST][:extraCertChain=PEM][:caCerts=PEM]`
 *   (`ssl:` too); `certKey` defaults to `privateKey` (as in Twisted) and `privateKey` to `certKey`,
 *   so one PEM file holding the certificate and its key may be named alone
 *   (`ssl:443:privateKey=server.pem`)
 * - `unix:PATH[:mode=660][:backlog=N]` (or `unix:address=PATH`)
 * - `udp:PORT[:interface=HOST]`, `udp6:PORT[:interface=HOST]`
 *
 * @throws EndpointSyntaxError naming the bad part.
 * @throws EndpointFileError when a file it names cannot be read, or lacks the certificate or key.
 * @example
 * ```ts
 * parseServerEndpoint('tcp6:8080:interface=\\:\\:1'); // { type: 'tcp', port: 8080, host: '::1' }
 * ```
 */
export function parseServerEndpoint(description: string): ServerEndpoint {
  const parsed = tokenize(description);
  const args = new Arguments(parsed, `${parsed.type} server endpoint`);
  let endpoint: ServerEndpoint;
  switch (parsed.type) {
    case 'tcp':
    case 'tcp6': {
      const port = args.port();
      const host = args.take('interface', false) ?? (parsed.type === 'tcp6' ? '::' : undefined);
      const backlog = args.number('backlog', isBacklog, 'a positive whole number');
      endpoint = {
        type: 'tcp',
        port,
        ...(host !== undefined && { host }),
        ...(backlog !== undefined && { backlog }),
      };
      break;
    }
    case 'tls':
    case 'ssl': {
      const port = args.port();
      const host = args.take('interface', false);
      const backlog = args.number('backlog', isBacklog, 'a positive whole number');
      // certKey defaults to privateKey (as in Twisted) and privateKey to certKey: one PEM file may hold both.
      const certKey = args.file('certKey');
      const privateKey = args.file('privateKey');
      const certFile = certKey ?? privateKey;
      const keyFile = privateKey ?? certKey;
      if (certFile === undefined || keyFile === undefined) {
        throw args.error('missing certKey or privateKey (the certificate and key PEM files)');
      }
      const chain = args.file('extraCertChain');
      const cert = Buffer.concat([
        args.blocks(certFile, 'certificate'),
        ...(chain === undefined ? [] : [args.blocks(chain, 'certificate')]),
      ]);
      const key = args.blocks(keyFile, 'key');
      const ca = args.file('caCerts');
      const tls: TLSOptions = { cert, key, ...(ca !== undefined && { ca: ca.contents }) };
      endpoint = {
        type: 'tls',
        port,
        tls,
        ...(host !== undefined && { host }),
        ...(backlog !== undefined && { backlog }),
      };
      break;
    }
    case 'unix': {
      const path = args.required('address');
      const modeText = args.take('mode', false);
      const mode =
        modeText === undefined ? undefined : /^[0-7]{3,4}$/.test(modeText) ? parseInt(modeText, 8) : -1;
      if (mode === -1) throw args.error(`mode "${modeText}" is not an octal file mode`);
      const backlog = args.number('backlog', isBacklog, 'a positive whole number');
      args.take('lockfile', false); // accepted for Twisted compatibility; Spindle removes stale sockets itself
      endpoint = {
        type: 'unix',
        path,
        ...(mode !== undefined && { mode }),
        ...(backlog !== undefined && { backlog }),
      };
      break;
    }
    case 'udp':
    case 'udp6': {
      const port = args.port();
      const host = args.take('interface', false) ?? (parsed.type === 'udp6' ? '::' : undefined);
      const family = parsed.type === 'udp6' || host?.includes(':') ? 'udp6' : 'udp4';
      endpoint = { type: 'udp', port, family, ...(host !== undefined && { host }) };
      break;
    }
    default:
      throw syntax(
        description,
        `unknown endpoint type "${parsed.type}" (known: tcp, tcp6, tls, ssl, unix, udp, udp6)`,
      );
  }
  args.finish();
  return endpoint;
}

/**
 * Parses a client endpoint description.
 *
 * - `tcp:host=HOST:port=PORT[:timeout=S][:bindAddress=HOST]` (or `tcp:HOST:PORT`)
 * - `tls:host=HOST:port=PORT[:caCerts=PEM-or-folder][:hostname=NAME][:certificate=PEM[:privateKey=PEM]]`
 *   (`privateKey` defaults to the `certificate` file)
 * - `unix:path=PATH[:timeout=S]` (or `unix:PATH`)
 *
 * @throws EndpointSyntaxError naming the bad part.
 * @throws EndpointFileError when a file it names cannot be read, or lacks the certificate or key.
 * @example
 * ```ts
 * parseClientEndpoint('tcp:host=127.0.0.1:port=80'); // { type: 'tcp', host: '127.0.0.1', port: 80 }
 * ```
 */
export function parseClientEndpoint(description: string): ClientEndpoint {
  const parsed = tokenize(description);
  const args = new Arguments(parsed, `${parsed.type} client endpoint`);
  let endpoint: ClientEndpoint;
  switch (parsed.type) {
    case 'tcp':
    case 'tcp6':
    case 'tls':
    case 'ssl': {
      const host = args.required('host');
      const port = args.port();
      const timeout = args.number('timeout', isTimeout, 'a positive number of seconds');
      const bindAddress = args.take('bindAddress', false);
      const common = {
        host,
        port,
        ...(timeout !== undefined && { timeout }),
        ...(bindAddress !== undefined && { bindAddress }),
      };
      if (parsed.type === 'tcp' || parsed.type === 'tcp6') {
        endpoint = { type: 'tcp', ...common };
      } else {
        const ca = args.file('caCerts') ?? args.file('trustRoots');
        const servername = args.take('hostname', false);
        const certificate = args.file('certificate');
        let key: Buffer | undefined;
        if (certificate !== undefined) key = args.blocks(args.file('privateKey') ?? certificate, 'key');
        else args.take('privateKey', false); // without a certificate it is not used, as in Twisted
        const tls: TLSOptions = {
          ...(ca !== undefined && { ca: ca.contents }),
          ...(servername !== undefined && { servername }),
          ...(certificate !== undefined && { cert: args.blocks(certificate, 'certificate'), key }),
        };
        endpoint = { type: 'tls', ...common, tls };
      }
      break;
    }
    case 'unix': {
      const path = args.required('path');
      const timeout = args.number('timeout', isTimeout, 'a positive number of seconds');
      endpoint = { type: 'unix', path, ...(timeout !== undefined && { timeout }) };
      break;
    }
    default:
      throw syntax(description, `unknown endpoint type "${parsed.type}" (known: tcp, tcp6, tls, ssl, unix)`);
  }
  args.finish();
  return endpoint;
}

/**
 * Where a server was asked to listen, as an endpoint description, for messages written before it
 * is bound (`cannot listen on tcp:8080:interface=127.0.0.1: …`).
 *
 * @example
 * ```ts
 * describeServerEndpoint({ type: 'tcp', port: 8080, host: '::1' }); // 'tcp:8080:interface=\\:\\:1'
 * ```
 */
export function describeServerEndpoint(endpoint: ServerEndpoint): string {
  if (endpoint.type === 'unix') return `unix:${endpoint.path}`;
  const host = endpoint.host === undefined ? '' : `:interface=${endpoint.host.replaceAll(':', '\\:')}`;
  const type = endpoint.type === 'udp' && endpoint.family === 'udp6' ? 'udp6' : endpoint.type;
  return `${type}:${endpoint.port}${host}`;
}
