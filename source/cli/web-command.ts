/**
 * `spindle web`: static files with listings, reverse proxies, a WebSocket echo, on one or more
 * endpoints, in one process or `--workers N` sharing the port (Twisted's `twistd web`).
 *
 * @module
 */
import cluster from 'node:cluster';
import { statSync } from 'node:fs';
import type { HttpHandler } from '../../protocols/http/server.js';
import { httpServer } from '../../protocols/http/server.js';
import { staticFiles } from '../../protocols/web/static-files.js';
import { listen } from '../endpoints.js';
import { SpindleError } from '../errors.js';
import { logAccess } from './access-log-records.js';
import type { Command, OptionValues } from './command.js';
import { numberValue, pairs, text } from './option-values.js';
import { serverOptions } from './server-options.js';
import { type ListeningMessage, serverRuntime } from './server-runtime.js';
import { UsageError } from './usage-error.js';

const defaultListen = ['tcp:8080:interface=127.0.0.1'];

/** Whether `path` is `prefix` or below it. */
const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** A URL path to mount something at: starts with `/`, does not end with one (`/` itself aside). */
function mountPath(option: string, path: string): string {
  if (!path.startsWith('/'))
    throw new UsageError(`--${option} takes a path starting with /, not ${JSON.stringify(path)}`);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * The site of a `spindle web` command line: `--proxy` prefixes first, then the WebSocket echo,
 * then the files below `--path` (listing folders without an index page).
 *
 * The reverse proxy (with the HTTP client under it) and the WebSocket handler are loaded only
 * when asked for, so a plain `spindle web --path DIR` starts without them.
 *
 * @throws UsageError for a bad `--proxy` or `--websocket-echo`; SpindleError when `--path` is not a folder.
 * @example
 * ```ts
 * listen('tcp:8080', httpServer(await webSite({ path: 'public', proxy: ['/api=http://127.0.0.1:3000'] })));
 * ```
 */
export async function webSite(values: OptionValues): Promise<HttpHandler> {
  const root = text(values, 'path', '.');
  if (statSync(root, { throwIfNoEntry: false })?.isDirectory() !== true) {
    throw new SpindleError(`--path ${root}: not a folder`);
  }
  const asked = pairs(values, 'proxy', '=', 'PREFIX=URL (/api=http://127.0.0.1:3000)');
  const mounts = asked.map(([prefix]) => mountPath('proxy', prefix));
  const echoPath = text(values, 'websocket-echo');
  const echoMount = echoPath === undefined ? undefined : mountPath('websocket-echo', echoPath);
  const { reverseProxy } = asked.length > 0 ? await import('../../protocols/web/reverse-proxy.js') : {};
  const proxies = asked.map(([prefix, url], i) => {
    const mount = mounts[i]!;
    try {
      return { mount, handler: reverseProxy!(url, { prefix: mount === '/' ? '' : mount }) };
    } catch (error) {
      throw new UsageError(`--proxy ${prefix}=${url}: ${(error as Error).message}`);
    }
  });
  const echo =
    echoMount === undefined
      ? undefined
      : {
          mount: echoMount,
          handler: (await import('../../protocols/websocket/web-socket-handler.js')).webSocketHandler(
            (socket) => socket.messages$.subscribe(socket),
          ),
        };
  const files = staticFiles(root, { listing: true });
  return (request) => {
    for (const proxy of proxies) if (under(request.path, proxy.mount)) return proxy.handler(request);
    if (echo !== undefined && request.path === echo.mount) return echo.handler(request);
    return files(request);
  };
}

/** Serves the command line's site on every endpoint of it, in this process. */
async function serve(values: OptionValues): Promise<void> {
  const runtime = serverRuntime(values, defaultListen);
  const server = httpServer(await webSite(values), { accessLog: logAccess });
  for (const endpoint of runtime.endpoints) runtime.announce(listen(endpoint, server, runtime.listenOptions));
  runtime.run();
}

/**
 * The primary process of `--workers N`: checks the options itself (so a mistake is said once),
 * starts the workers, and prints each endpoint's `listening on` once every worker listens there.
 */
async function superviseWorkers(values: OptionValues, count: number): Promise<void> {
  await webSite(values);
  serverRuntime(values, defaultListen); // the primary's own log output, and the certificate the workers share
  const listening = new Map<string, number>();
  cluster.on('message', (_worker, message: Partial<ListeningMessage>) => {
    if (message?.spindle !== 'listening' || message.endpoint === undefined) return;
    const workers = (listening.get(message.endpoint) ?? 0) + 1;
    listening.set(message.endpoint, workers);
    if (workers === count) process.stdout.write(`listening on ${message.endpoint} (${count} workers)\n`);
  });
  (await import('../workers.js')).runWorkers(() => undefined, { count });
}

/**
 * `spindle web [--path DIR] [--proxy PREFIX=URL]… [--websocket-echo PATH] [--workers N] [--listen ENDPOINT]…`.
 *
 * @example
 * ```ts
 * await webCommand.run({ path: 'public', listen: ['tcp:8080:interface=127.0.0.1'] }, []);
 * ```
 */
export const webCommand: Command = {
  name: 'web',
  summary: 'serve a folder over HTTP, a reverse proxy, a WebSocket echo',
  usage:
    'spindle web [--path DIR] [--proxy PREFIX=URL]… [--websocket-echo PATH] [--workers N] [--listen ENDPOINT]…',
  description:
    'Serves the files below --path (ETags, ranges, gzip and br, a listing for folders without index.html, never a file outside the folder), forwards --proxy prefixes to other HTTP servers, and echoes WebSocket messages at --websocket-echo. Logs each request in the Combined Log Format.',
  options: {
    path: { type: 'string', value: 'DIR', help: 'the folder to serve', default: '.' },
    proxy: {
      type: 'string',
      multiple: true,
      value: 'PREFIX=URL',
      help: 'forward requests below PREFIX to the http(s) URL, PREFIX stripped',
    },
    'websocket-echo': {
      type: 'string',
      value: 'PATH',
      help: 'answer WebSocket upgrades at PATH, sending each message back',
    },
    workers: {
      type: 'string',
      value: 'N',
      help: 'run N processes sharing the port (node:cluster)',
      default: '1',
    },
    ...serverOptions(defaultListen),
  },
  examples: [
    'spindle web --path ./public --listen tcp:8080:interface=127.0.0.1',
    'spindle web --proxy /api=http://127.0.0.1:3000 --websocket-echo /echo --workers 2',
  ],
  async run(values) {
    const workers = numberValue(values, 'workers', { min: 1, max: 256 }, 1);
    if (workers === 1 || cluster.isWorker) await serve(values);
    else await superviseWorkers(values, workers);
  },
};
