/**
 * `nodeHandler`: a Node request listener (`(req, res) => void`, what Express and Connect export)
 * as an `HttpHandler`, run by node:http's own request and response objects, bodies streamed
 * both ways with backpressure.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isPromiseLike } from '../../source/deferred.js';
import { Logger } from '../../source/log.js';
import type { HttpHandler } from '../http/server.js';
import { basePathOf, notMounted, pathUnder } from './_mount-path.js';
import { NodeConnection } from './_node-connection.js';

/**
 * A Node request listener: an Express or Connect app, or any `(req, res) => void` that
 * `http.createServer` takes. One that returns a promise has its rejection handled as a throw.
 *
 * @example
 * ```ts
 * const listener: NodeListener = (req, res) => res.end(`you asked for ${req.url}\n`);
 * ```
 */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void | PromiseLike<void>;

/**
 * Options of `nodeHandler`.
 *
 * @example
 * ```ts
 * nodeHandler(app, { basePath: '/app' });
 * ```
 */
export interface NodeHandlerOptions {
  /**
   * Where the app is mounted: `req.url` has this prefix taken off (`/app/users?x=1` arrives as
   * `/users?x=1`, `/app` as `/`), `req.originalUrl` keeps the whole target and `req.baseUrl` is
   * the prefix, as when Express mounts an app with `app.use('/app', sub)`; a request outside it
   * is answered 404 without calling the listener. Matched as sent (percent escapes not decoded),
   * on whole segments. Default none: `req.url` is the target as the client sent it.
   */
  readonly basePath?: string;
}

const log = new Logger('spindle.web');

/** An Express request (or any that Express's router reads): the fields a mount sets. */
interface MountedRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
}

/**
 * Serves a Node request listener (an Express or Connect app, a `(req, res) => void`) as an
 * `HttpHandler`: mount it anywhere a handler goes (`httpServer`, a resource tree).
 *
 * The listener gets node:http's own `IncomingMessage` and `ServerResponse`, from a `node:http`
 * server of the handler's own that is handed one socket per request (a Duplex, as
 * `server.emit('connection')` allows: Express sets its prototypes on them and works unchanged).
 * The request goes to it as HTTP/1.1 (the method, the target, the version and every header field
 * as the client sent them, but `Expect`, which the Spindle server answers), its body streamed as
 * the app reads it: node pauses the socket when `req` is not read, and the client's connection
 * is paused in turn. `req.socket` says the client's `remoteAddress`, `remotePort` and, over TLS,
 * `encrypted` (so Express's `req.ip`, `req.protocol` and `req.secure` work).
 *
 * What the listener writes is node's to frame (`writeHead`, `setHeader`, `write`, `end`,
 * HEAD, 204 and 304 without a body, `statusMessage`): the head goes to the client once node has
 * written it (at the first `write` or `end`) and, for a streamed body, the first bytes of the
 * body (the server's rule for streams; `flushHeaders` alone sends nothing yet), with every field (each
 * `Set-Cookie` alone) but `Connection`, `Keep-Alive` and `Transfer-Encoding`, which are the Spindle
 * server's to decide, and a `Date` from the server's clock unless the app set one. The body
 * streams as it is written: `res.write` returns false while the client is behind, and `'drain'`
 * comes when it catches up. Interim responses (`writeContinue`, `writeEarlyHints`) and trailers
 * are dropped. `'finish'` and `'close'` come as under node:http; a client that goes away while
 * the request body arrives or the response streams resets the socket (`req` emits `'aborted'`,
 * `res` `'close'` before `'finish'`), as far as the server sees it go (a reset, a failed write,
 * a body cut short: a FIN alone is a half-close, noticed at the next write).
 *
 * Errors: a listener that throws (or whose promise rejects) makes the server answer 500 and log
 * it (`spindle.http.server`) if the response head is not out yet; after it, the client's
 * connection is aborted (a cut response) and that is logged; once the response is complete, the
 * error is only logged (`spindle.web`). Express catches its routes' errors itself and answers
 * them with its error handler. A listener that never answers leaves the request waiting, as
 * node:http does, until the client goes away or the server closes (its grace period aborts the
 * connection); there is no deadline of the handler's own.
 *
 * ```text
 * client ──► Spindle server ──► HTTP/1.1 bytes ──► node:http ──► app(req, res)
 * client ◄── HttpResponse   ◄── ResponseParser ◄── res.write/end ◄─┘
 * ```
 *
 * @throws TypeError (at once) for a `basePath` that is not a path.
 * @example
 * ```ts
 * import express from 'express';
 * import { listen } from 'spindle';
 * import { httpServer } from 'spindle/protocols/http';
 * import { nodeHandler } from 'spindle/protocols/web';
 *
 * const app = express();
 * app.get('/hello', (req, res) => res.json({ hello: 'world' }));
 * listen('tcp:8080', httpServer(nodeHandler(app)));
 * ```
 */
export function nodeHandler(listener: NodeListener, options: NodeHandlerOptions = {}): HttpHandler {
  const basePath = basePathOf(options.basePath);
  // Nothing listens on this server: it is handed sockets. The Spindle server has parsed and
  // limited the request already, and owns the timeouts.
  const server = createServer({ requireHostHeader: false, maxHeaderSize: 1024 * 1024 });
  server.on('request', (req: MountedRequest, res: ServerResponse) => {
    const connection = req.socket as unknown as NodeConnection;
    res.sendDate = false;
    if (basePath !== '') {
      req.originalUrl = connection.request.target;
      req.baseUrl = basePath;
    }
    res.once('close', () => connection.destroy());
    const failed = (error: unknown) => {
      if (connection.fail(error)) return;
      const { method, target } = connection.request;
      log.error(
        `the request listener failed on ${method} ${target} from ${connection.peer} after its response was over`,
        {
          error,
          fields: { peer: connection.peer, method, target },
        },
      );
    };
    try {
      const result = listener(req, res);
      if (isPromiseLike(result)) result.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  });
  return (request) => {
    let target = request.target;
    if (basePath !== '') {
      const path = pathUnder(request.path, basePath);
      if (path === undefined) return notMounted;
      target =
        path +
        (target.charCodeAt(0) === 0x2f /* / */ ? target.slice(request.path.length) : request.url.search);
    }
    const connection = new NodeConnection(request);
    connection.start(server, target);
    return connection.answer;
  };
}
