/**
 * `listenService`: a server as a service (Twisted's `strports.service`, `TCPServer`): it listens
 * when started and closes, gracefully, when stopped.
 *
 * @module
 */
import type { Address } from './address.js';
import type { Deferred } from './deferred.js';
import { parseServerEndpoint, type StreamServerEndpoint } from './endpoint-description.js';
import { listen, type WithReactor } from './endpoints.js';
import type { Protocol } from './protocol.js';
import type { ListenOptions, Server } from './server.js';
import { BaseService, type ServiceOptions } from './service.js';

/**
 * Options of `listenService`: the server's (`maxConnections`, `gracePeriod` …), the reactor to
 * listen on, and the service's name. There is no `required`: a server that cannot listen fails
 * the service's start.
 *
 * @example
 * ```ts
 * listenService('tcp:8080', httpServer(site), { name: 'web', gracePeriod: 30 });
 * ```
 */
export interface ListenServiceOptions extends Omit<ListenOptions, 'required'>, WithReactor, ServiceOptions {}

/**
 * A service that runs a server: see `listenService`.
 *
 * @example
 * ```ts
 * const web: ListenService = listenService('tcp:0:interface=127.0.0.1', echo);
 * await web.startService();
 * console.log(await web.server!.address);
 * ```
 */
export class ListenService extends BaseService {
  /** Where it listens. */
  readonly endpoint: StreamServerEndpoint;
  /** What it runs on each connection. */
  readonly protocol: Protocol;
  readonly #options: ListenServiceOptions;
  #server: Server | undefined = undefined;

  constructor(endpoint: StreamServerEndpoint, protocol: Protocol, options: ListenServiceOptions) {
    super(options);
    this.endpoint = endpoint;
    this.protocol = protocol;
    this.#options = options;
  }

  /**
   * The server, from the start until the stop has finished; `undefined` while stopped.
   *
   * @example
   * ```ts
   * const { port } = await web.server!.address;
   * ```
   */
  get server(): Server | undefined {
    return this.#server;
  }

  /** Listens; fires once listening, fails with `CannotListenError` if it cannot (the server logs it). */
  protected override start(): Deferred<Address> {
    const { name: _name, ...options } = this.#options;
    const server = listen(this.endpoint, this.protocol, options);
    this.#server = server;
    return server.address.addErrback((failure) => {
      this.#server = undefined;
      throw failure;
    });
  }

  /** Closes the server: stops listening, lets connections finish within its grace period. */
  protected override stop(): Deferred<void> {
    return this.#server!.close().addCallback(() => {
      this.#server = undefined;
    });
  }
}

/**
 * A service that listens on `endpoint` with `protocol` when started (Twisted's `strports.service`):
 * its start fires once the server listens, or fails with `CannotListenError` (a port in use: the
 * server logs it, once); its stop closes the server gracefully (it stops listening, and open
 * connections get the server's grace period to finish) and fires once it is closed. The
 * description is read at once, so a mistake in it throws here, not at start.
 *
 * @throws EndpointSyntaxError for a description it cannot understand; TypeError for a `udp:` one
 *   (a UDP port has no protocol to run).
 * @example
 * ```ts
 * export default application('echo', listenService('tcp:8007:interface=127.0.0.1', echo));
 * ```
 */
export function listenService(
  endpoint: string | StreamServerEndpoint,
  protocol: Protocol,
  options: ListenServiceOptions = {},
): ListenService {
  const parsed = typeof endpoint === 'string' ? parseServerEndpoint(endpoint) : endpoint;
  if (parsed.type === 'udp') {
    throw new TypeError(`listenService: ${endpoint} is a UDP endpoint; it serves tcp:, tls: and unix: ones`);
  }
  return new ListenService(parsed, protocol, options);
}
