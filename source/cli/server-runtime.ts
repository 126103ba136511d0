/**
 * `serverRuntime`: what every server command of `spindle` shares once its options are read: the
 * endpoints to listen on (with a throwaway certificate for `tls:` ones when asked), the grace
 * period, the `listening on` lines, a notice when shutdown waits, and running the reactor.
 *
 * @module
 */
import cluster from 'node:cluster';
import { type Address, describeEndpoint } from '../address.js';
import type { Deferred } from '../deferred.js';
import { reactor } from '../reactor.js';
import type { CertificateFiles } from '../self-signed-certificate.js';
import type { ListenOptions, Server } from '../server.js';
import type { OptionValues } from './command.js';
import { type LogFormat, logLevels, writeLogRecords } from './log-output.js';
import { choice, numberValue, texts } from './option-values.js';
import { noticeSlowShutdown } from './shutdown-notice.js';
import { throwawayCertificate, withCertificate } from './throwaway-certificate.js';
import { watchWrappers } from './wrapper-watch.js';

/** What a worker of `--workers` tells the primary process. */
export interface ListeningMessage {
  readonly spindle: 'listening';
  readonly endpoint: string;
}

/**
 * A server command's running context.
 *
 * @example
 * ```ts
 * const runtime = serverRuntime(values, ['tcp:8080:interface=127.0.0.1']);
 * for (const endpoint of runtime.endpoints) runtime.announce(listen(endpoint, app, runtime.listenOptions));
 * runtime.run();
 * ```
 */
export interface ServerRuntime {
  /** `--listen` (or the defaults), `tls:` ones given the throwaway certificate with `--tls-self-signed`. */
  readonly endpoints: readonly string[];
  /** The options every `listen` of the command takes (its `gracePeriod` is `--grace`). */
  readonly listenOptions: ListenOptions;
  /** The throwaway certificate of `--tls-self-signed` (removed at exit), if asked for. */
  readonly certificate: CertificateFiles | undefined;
  /** `endpoint` given the throwaway certificate if it is a `tls:` one naming none (another option's endpoint). */
  withCertificate(endpoint: string): string;
  /**
   * Prints `listening on ENDPOINT` once `server` (or the address Deferred) listens; counts its
   * connections in the shutdown notice.
   */
  announce(server: Server | { readonly address: Deferred<Address> }): void;
  /** Prints `listening on ENDPOINT` for `address`, which `server` (if a stream server) listens on. */
  listening(address: Address, server?: object): void;
  /** Runs the reactor: until Ctrl-C or SIGTERM, then a graceful shutdown and exit 0. */
  run(): void;
}

/**
 * The runtime of a server command whose options are `values` (see `serverOptions`) and which
 * listens on `defaultListen` unless `--listen` says otherwise. Starts writing the log stream
 * (`--log-format`, `--log-level`) from the module graph the command's servers run in (`spindle
 * run` loads its own, outside the bundled command), and makes the throwaway certificate at once
 * when `--tls-self-signed` is given.
 *
 * @throws UsageError for a bad `--grace`, `--log-format` or `--log-level`.
 * @example
 * ```ts
 * const runtime = serverRuntime(values, ['tcp:8007:interface=127.0.0.1']);
 * ```
 */
export function serverRuntime(values: OptionValues, defaultListen: readonly string[]): ServerRuntime {
  const format = choice<LogFormat>(values, 'log-format', ['text', 'json'], 'text');
  writeLogRecords({ format, level: choice(values, 'log-level', logLevels, 'info') });
  const grace = numberValue(values, 'grace', { min: 0, max: 86_400, fraction: true }, 10);
  const certificate = throwawayCertificate(values);
  reactor.shutdownGracePeriod = grace; // for servers a command's own code listens (spindle run)
  const watched = new Map<Server, string>();
  return {
    endpoints: texts(values, 'listen', defaultListen).map((endpoint) =>
      withCertificate(endpoint, certificate),
    ),
    listenOptions: { gracePeriod: grace },
    certificate,
    withCertificate: (endpoint) => withCertificate(endpoint, certificate),
    announce(server) {
      server.address.addCallback((address) => this.listening(address, server));
    },
    listening(address, server) {
      const endpoint = describeEndpoint(address);
      if (server !== undefined && 'connections' in server) watched.set(server as Server, endpoint);
      if (cluster.isWorker) process.send?.({ spindle: 'listening', endpoint } satisfies ListeningMessage);
      else process.stdout.write(`listening on ${endpoint}\n`);
    },
    run() {
      noticeSlowShutdown(watched, grace);
      watchWrappers();
      reactor.run(); // Ctrl-C or SIGTERM: stop accepting, drain, exit 0; a second one: exit at once
    },
  };
}
