/**
 * `Resolver`: a DNS stub resolver (Twisted's `twisted.names.client.Resolver`, with the hosts
 * file and the cache of its default chain): queries over UDP with retries across the servers,
 * TCP when an answer is truncated, answers checked against the question, a TTL cache.
 *
 * @module
 */
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { Deferred, fail, succeed } from '../../source/deferred.js';
import { TimeoutError } from '../../source/errors.js';
import { Logger } from '../../source/log.js';
import { reactor as defaultReactor, type ReactorLike } from '../../source/reactor.js';
import { type DropReason, describeServer, type QueryOptions } from './_exchange.js';
import { HostsFile } from './_hosts-file.js';
import { dnsPort, type NameServer, readResolvConf } from './_resolv-conf.js';
import { tcpQuery } from './_tcp-query.js';
import { udpQuery } from './_udp-query.js';
import { DomainError, ServerError } from './dns-error.js';
import { namesEqual } from './domain-name.js';
import { encodeMessage } from './encode-message.js';
import { emptyMessage, type Message, type Question, type RecordOf, type ResourceRecord } from './message.js';
import { type KnownRecordType, Rcode } from './record-types.js';
import { ResolverCache } from './resolver-cache.js';

const log = new Logger('spindle.dns.resolver');

/**
 * Options of `Resolver`. Times are in seconds, on the reactor's clock.
 *
 * @example
 * ```ts
 * const resolver = new Resolver({ servers: [{ host: '127.0.0.1', port: 5353 }], timeouts: [1, 3], hosts: false });
 * ```
 */
export interface ResolverOptions {
  /** The servers to ask, IP addresses (port default 53). Default: the `nameserver` lines of `resolvConf`. */
  servers?: readonly { readonly host: string; readonly port?: number }[];
  /**
   * The resolv.conf read, once, when `servers` is not given.
   * Default `/etc/resolv.conf`; a missing file means `127.0.0.1`.
   */
  resolvConf?: string;
  /**
   * Start each query at the next server in turn rather than always at the first. Default: the
   * `rotate` option of `resolvConf` when the servers come from it, else false.
   */
  rotate?: boolean;
  /** The hosts file `lookupAddress` and `lookupIPV6Address` look in first, or false for none. Default `/etc/hosts`. */
  hosts?: string | false;
  /**
   * How long to wait for each server, round after round: one round over all the servers per
   * entry. Default `[1, 3, 11, 45]` (Twisted's).
   */
  timeouts?: readonly number[];
  /** Cache answers (true: a `ResolverCache` of its own on the reactor's clock), or share one. Default true. */
  cache?: boolean | ResolverCache;
  /** The reactor to open sockets and time on. Default the process-wide `reactor`. */
  reactor?: ReactorLike;
}

/** EDNS as every query offers it: 1232-byte UDP answers (the DNS flag day 2020 figure). */
const queryEdns = { payloadSize: 1232, version: 0, dnssecOk: false, options: [] } as const;
/** Seconds a query over TCP may take, connecting included (Twisted's `queryTCP` default). */
const tcpTimeout = 10;
/** The TTL of answers from the hosts file, in seconds (Twisted's hosts resolver's). */
const hostsTtl = 3600;

/**
 * A DNS client resolver (Twisted's `client.Resolver`). Each query goes over UDP from a new
 * socket on a random port, with a random 16-bit id, recursion desired and EDNS (1232 bytes);
 * it waits `timeouts[0]` seconds for each server in turn, then `timeouts[1]` for each, and so
 * on, and errbacks with `TimeoutError` when all have passed. A response counts only if it
 * comes from the server's address and port and carries the query's id and question (the name
 * without regard to case); anything else is dropped and counted in `dropped`. A truncated
 * response (TC) is asked again over TCP. NXDOMAIN errbacks with `DomainError`, another error
 * RCODE with `ServerError`. Cancelling a lookup's Deferred closes its socket and stops its
 * timers; every socket is closed before a lookup's result is given.
 *
 * Answers are cached (see `ResolverCache`); `lookupAddress` and `lookupIPV6Address` look in
 * the hosts file first. The search list of resolv.conf is not applied: names are looked up as
 * given (as Twisted's client does).
 *
 * ```text
 * lookupAddress(name) ──▶ hosts file ──▶ cache ──▶ UDP: server 1 (1 s), server 2 (1 s), server 1 (3 s) …
 *                                                    └─ TC ──▶ TCP to the same server
 * ```
 *
 * @example
 * ```ts
 * const resolver = new Resolver();
 * const records = await resolver.lookupMailExchange('example.com');
 * for (const mx of records.sort((a, b) => a.preference - b.preference)) console.log(mx.exchange);
 * resolver.lookupAddress('nope.example').addErrback((f) => f.trap(DomainError));
 * ```
 */
export class Resolver {
  /** The servers asked, in order. */
  readonly servers: readonly NameServer[];
  /** The cache, when answers are cached. */
  readonly cache: ResolverCache | undefined;
  private readonly _reactor: ReactorLike;
  private readonly _timeouts: readonly number[];
  private readonly _hosts: HostsFile | undefined;
  private readonly _rotate: boolean;
  private _nextServer = 0;
  private _dropped = 0;

  /**
   * @throws TypeError for a server whose host is not an IP address, RangeError for no servers,
   * no timeouts or one that is not positive; the file system's error if resolv.conf cannot be read.
   */
  constructor(options: ResolverOptions = {}) {
    this._reactor = options.reactor ?? defaultReactor;
    if (options.servers !== undefined) {
      this.servers = options.servers.map(({ host, port }) => ({ host, port: port ?? dnsPort }));
      this._rotate = options.rotate ?? false;
    } else {
      const conf = readResolvConf(options.resolvConf ?? '/etc/resolv.conf');
      this.servers = conf.nameservers;
      this._rotate = options.rotate ?? conf.rotate;
    }
    if (this.servers.length === 0) throw new RangeError('a resolver needs at least one server');
    for (const server of this.servers) {
      if (isIP(server.host) === 0)
        throw new TypeError(`a name server must be an IP address, not ${server.host}`);
    }
    this._timeouts = options.timeouts ?? [1, 3, 11, 45];
    if (this._timeouts.length === 0 || !this._timeouts.every((timeout) => timeout > 0)) {
      throw new RangeError(`timeouts must be positive seconds, at least one: ${this._timeouts.join(', ')}`);
    }
    const hosts = options.hosts ?? '/etc/hosts';
    this._hosts = hosts === false ? undefined : new HostsFile(hosts);
    const cache = options.cache ?? true;
    this.cache =
      cache === true ? new ResolverCache({ clock: this._reactor }) : cache === false ? undefined : cache;
  }

  /** Messages received and dropped: malformed, not answering the query, or from the wrong address. */
  get dropped(): number {
    return this._dropped;
  }

  /**
   * Asks the servers `question` and fires with the whole response (from the cache when it holds
   * one). Errbacks with `DomainError` (NXDOMAIN), `ServerError` (another error RCODE),
   * `TimeoutError`, `InvalidNameError` for a name that cannot be sent, or the transport's error.
   *
   * @example
   * ```ts
   * const response = await resolver.query({ name: 'example.com', type: 'CAA', class: 'IN' });
   * response.answers.filter((r) => r.type === 'CAA');
   * ```
   */
  query(question: Question): Deferred<Message> {
    return this.exchange(question).addCallback((response) => settled(question, response));
  }

  /**
   * Asks the servers `question` and fires with their response whatever its RCODE (NXDOMAIN
   * included, with its SOA): what a forwarding server passes on and what a dig-like tool prints.
   * With `tcp`, it asks over TCP from the start. Errbacks with `TimeoutError`, `InvalidNameError`
   * or the transport's error.
   *
   * @example
   * ```ts
   * const response = await resolver.exchange({ name: 'nope.example', type: 'A', class: 'IN' });
   * response.rcode === Rcode.NXDOMAIN; // true, and response.authorities holds the SOA
   * ```
   */
  exchange(question: Question, options: { readonly tcp?: boolean } = {}): Deferred<Message> {
    let cached: Message | undefined;
    try {
      cached = this.cache?.get(question);
    } catch (error) {
      return fail(error);
    }
    if (cached !== undefined) return succeed(cached);
    const servers = this._serverOrder();
    const attempts = this._timeouts.flatMap((timeout) => servers.map((server) => ({ server, timeout })));
    let current: Deferred<Message> | undefined;
    const result = new Deferred<Message>(() => current?.cancel());
    const answered = (response: Message) => {
      this.cache?.put(question, response);
      result.callback(response);
    };
    const failed = (failure: unknown) => result.errback(failure);
    const run = (index: number) => {
      const { server, timeout } = attempts[index]!;
      const query: Message = {
        ...emptyMessage,
        id: randomInt(0x10000),
        rd: true,
        questions: [question],
        edns: queryEdns,
      };
      let bytes: Uint8Array;
      try {
        bytes = encodeMessage(query);
      } catch (error) {
        failed(error);
        return;
      }
      if (options.tcp) {
        current = tcpQuery(bytes, query, server, this._exchangeOptions(tcpTimeout));
        current.addCallbacks(answered, failed);
        return;
      }
      current = udpQuery(bytes, query, server, this._exchangeOptions(timeout));
      current.addCallbacks(
        (response) => {
          if (!response.tc) return answered(response);
          current = tcpQuery(bytes, query, server, this._exchangeOptions(tcpTimeout));
          current.addCallbacks(answered, failed);
        },
        (failure) => {
          if (failure.check(TimeoutError) && index + 1 < attempts.length) run(index + 1);
          else failed(failure);
        },
      );
    };
    run(0);
    return result;
  }

  /**
   * The IPv4 addresses of `name` (A records), from the hosts file when it names it, else from
   * DNS (following a CNAME chain inside the answer).
   *
   * @example
   * ```ts
   * const [first] = await resolver.lookupAddress('example.com'); console.log(first?.address);
   * ```
   */
  lookupAddress(name: string): Deferred<RecordOf<'A'>[]> {
    return this._fromHosts(name, 'A') ?? this._lookup(name, 'A');
  }

  /**
   * The IPv6 addresses of `name` (AAAA records), from the hosts file when it names it, else from DNS.
   *
   * @example
   * ```ts
   * const records = await resolver.lookupIPV6Address('example.com');
   * ```
   */
  lookupIPV6Address(name: string): Deferred<RecordOf<'AAAA'>[]> {
    return this._fromHosts(name, 'AAAA') ?? this._lookup(name, 'AAAA');
  }

  /**
   * The mail exchangers of `name` (MX records).
   *
   * @example
   * ```ts
   * const exchangers = await resolver.lookupMailExchange('example.com');
   * ```
   */
  lookupMailExchange(name: string): Deferred<RecordOf<'MX'>[]> {
    return this._lookup(name, 'MX');
  }

  /**
   * The text records of `name` (TXT), each string as bytes.
   *
   * @example
   * ```ts
   * const [spf] = await resolver.lookupText('example.com');
   * ```
   */
  lookupText(name: string): Deferred<RecordOf<'TXT'>[]> {
    return this._lookup(name, 'TXT');
  }

  /**
   * The service records of `name` (SRV), such as `_sip._udp.example.com`.
   *
   * @example
   * ```ts
   * const targets = await resolver.lookupService('_xmpp-server._tcp.example.com');
   * ```
   */
  lookupService(name: string): Deferred<RecordOf<'SRV'>[]> {
    return this._lookup(name, 'SRV');
  }

  /**
   * The pointer records of `name` (PTR), as for a reverse lookup (`4.3.2.1.in-addr.arpa`).
   *
   * @example
   * ```ts
   * const [ptr] = await resolver.lookupPointer('1.0.0.127.in-addr.arpa');
   * ```
   */
  lookupPointer(name: string): Deferred<RecordOf<'PTR'>[]> {
    return this._lookup(name, 'PTR');
  }

  /**
   * The start of authority of `name` (SOA).
   *
   * @example
   * ```ts
   * const [soa] = await resolver.lookupAuthority('example.com');
   * ```
   */
  lookupAuthority(name: string): Deferred<RecordOf<'SOA'>[]> {
    return this._lookup(name, 'SOA');
  }

  /**
   * The name servers of `name` (NS).
   *
   * @example
   * ```ts
   * const servers = await resolver.lookupNameservers('example.com');
   * ```
   */
  lookupNameservers(name: string): Deferred<RecordOf<'NS'>[]> {
    return this._lookup(name, 'NS');
  }

  private _lookup<T extends KnownRecordType>(name: string, type: T): Deferred<RecordOf<T>[]> {
    return this.query({ name, type, class: 'IN' }).addCallback((response) => recordsOf(response, name, type));
  }

  /** The hosts file's answer for `name`, when it has addresses of the type. */
  private _fromHosts<T extends 'A' | 'AAAA'>(name: string, type: T): Deferred<RecordOf<T>[]> | undefined {
    if (this._hosts === undefined) return undefined;
    let addresses: readonly string[];
    try {
      const found = this._hosts.lookup(name);
      addresses = (type === 'A' ? found?.ipv4 : found?.ipv6) ?? [];
    } catch (error) {
      return fail(error);
    }
    if (addresses.length === 0) return undefined;
    return succeed(
      addresses.map((address) => ({ name, class: 'IN', ttl: hostsTtl, type, address }) as RecordOf<T>),
    );
  }

  /** The servers in the order to try them: from the next one in turn when rotating. */
  private _serverOrder(): readonly NameServer[] {
    if (!this._rotate) return this.servers;
    const start = this._nextServer++ % this.servers.length;
    return [...this.servers.slice(start), ...this.servers.slice(0, start)];
  }

  private _exchangeOptions(timeout: number): QueryOptions {
    return {
      reactor: this._reactor,
      clock: this._reactor,
      timeout,
      onDropped: (reason: DropReason, server: NameServer) => {
        this._dropped++;
        log.debug(`dropped a message from ${describeServer(server)}: ${reason}`, { fields: { reason } });
      },
    };
  }
}

/** The response as a lookup gives it: itself, or the error its RCODE says. */
function settled(question: Question, response: Message): Deferred<Message> {
  if (response.rcode === Rcode.NOERROR) return succeed(response);
  if (response.rcode === Rcode.NXDOMAIN) return fail(new DomainError(question.name));
  return fail(new ServerError(question.name, response.rcode));
}

/** The answer records of `type` for `name`, following CNAME records inside the answer. */
function recordsOf<T extends KnownRecordType>(response: Message, name: string, type: T): RecordOf<T>[] {
  let owner = name;
  for (let hops = 0; hops <= response.answers.length; hops++) {
    const found = response.answers.filter(
      (record): record is ResourceRecord & RecordOf<T> =>
        record.type === type && namesEqual(record.name, owner),
    );
    if (found.length > 0) return found;
    const alias = response.answers.find(
      (record) => record.type === 'CNAME' && namesEqual(record.name, owner),
    );
    if (alias?.type !== 'CNAME') return [];
    owner = alias.target;
  }
  return [];
}
