/**
 * `ResolverCache`: the answers a resolver got, kept for as long as their TTLs allow (Twisted's
 * `twisted.names.cache.CacheResolver`), negative answers included (RFC 2308).
 *
 * @module
 */
import type { ReactorTime } from '../../source/clock.js';
import { reactor as defaultReactor } from '../../source/reactor.js';
import { isInDomain, nameKey } from './domain-name.js';
import type { Message, Question, ResourceRecord } from './message.js';
import { Rcode } from './record-types.js';

/**
 * Options of `ResolverCache`.
 *
 * @example
 * ```ts
 * const cache = new ResolverCache({ maxEntries: 500, clock: reactor });
 * ```
 */
export interface ResolverCacheOptions {
  /** The clock TTLs count on. Default the process-wide `reactor`. */
  clock?: ReactorTime;
  /** Answers kept at most; past it the oldest stored goes first. Default 10,000. */
  maxEntries?: number;
}

/** One stored answer: the message as it came, when it came, and when it goes. */
interface Entry {
  readonly message: Message;
  readonly storedAt: number;
  readonly expiresAt: number;
}

/**
 * A cache of DNS responses by question (name without regard to case, type, class), on a clock.
 *
 * - A positive answer is kept for the smallest TTL of its answer records.
 * - A negative answer (NXDOMAIN, or NOERROR without a record of the type asked: NODATA) is kept
 *   for the SOA record's TTL or its `minimum`, whichever is smaller (RFC 2308 section 5), the SOA
 *   taken from the authority section and owning a zone the name is in; without one it is not
 *   kept.
 * - A truncated answer, or one with another RCODE (SERVFAIL, REFUSED …), is not kept.
 * - A message served from the cache has every TTL lowered by the whole seconds it spent there.
 *
 * Expired entries are dropped when next looked up, or evicted as the oldest; no timer runs.
 *
 * ```text
 * put(q, answer ttl=300) ──100 s──▶ get(q): answer ttl=200 ──200 s──▶ get(q): undefined
 * ```
 *
 * @example
 * ```ts
 * const cache = new ResolverCache({ clock });
 * cache.put(question, response);
 * cache.get(question)?.answers; // the records, TTLs counting down
 * ```
 */
export class ResolverCache {
  private readonly _clock: ReactorTime;
  private readonly _maxEntries: number;
  /** In the order stored: the first is the oldest. */
  private readonly _entries = new Map<string, Entry>();

  constructor(options: ResolverCacheOptions = {}) {
    this._clock = options.clock ?? defaultReactor;
    this._maxEntries = options.maxEntries ?? 10_000;
    if (!(this._maxEntries >= 1))
      throw new RangeError(`maxEntries must be at least 1, not ${this._maxEntries}`);
  }

  /** The answers held, expired ones not yet dropped included. */
  get size(): number {
    return this._entries.size;
  }

  /**
   * The cached response to `question`, its TTLs lowered by the time spent in the cache; undefined
   * when there is none or it has expired.
   *
   * @example
   * ```ts
   * const hit = cache.get({ name: 'example.com', type: 'A', class: 'IN' });
   * ```
   */
  get(question: Question): Message | undefined {
    const key = cacheKey(question);
    const entry = this._entries.get(key);
    if (entry === undefined) return undefined;
    const now = this._clock.seconds();
    if (now >= entry.expiresAt) {
      this._entries.delete(key);
      return undefined;
    }
    const spent = Math.floor(now - entry.storedAt);
    if (spent === 0) return entry.message;
    const age = (record: ResourceRecord): ResourceRecord => ({
      ...record,
      ttl: Math.max(0, record.ttl - spent),
    });
    return {
      ...entry.message,
      answers: entry.message.answers.map(age),
      authorities: entry.message.authorities.map(age),
      additionals: entry.message.additionals.map(age),
    };
  }

  /**
   * Stores `response` as the answer to `question`, if it may be cached (see the class comment);
   * returns whether it was.
   *
   * @example
   * ```ts
   * if (!cache.put(question, response)) log.debug('not cacheable');
   * ```
   */
  put(question: Question, response: Message): boolean {
    const ttl = cacheTtl(question, response);
    if (ttl === undefined || ttl <= 0) return false;
    const key = cacheKey(question);
    const now = this._clock.seconds();
    this._entries.delete(key);
    this._entries.set(key, { message: response, storedAt: now, expiresAt: now + ttl });
    for (const oldest of this._entries.keys()) {
      if (this._entries.size <= this._maxEntries) break;
      this._entries.delete(oldest);
    }
    return true;
  }

  /**
   * Forgets every answer.
   *
   * @example
   * ```ts
   * cache.clear(); // after the network changed
   * ```
   */
  clear(): void {
    this._entries.clear();
  }
}

function cacheKey(question: Question): string {
  return `${nameKey(question.name)} ${question.type} ${question.class}`;
}

/** Seconds `response` may be kept, or undefined when it may not be. */
function cacheTtl(question: Question, response: Message): number | undefined {
  if (response.tc) return undefined;
  if (response.rcode !== Rcode.NOERROR && response.rcode !== Rcode.NXDOMAIN) return undefined;
  const positive =
    response.rcode === Rcode.NOERROR &&
    response.answers.some((record) => question.type === 'ANY' || record.type === question.type);
  const answerTtls = response.answers.map((record) => record.ttl);
  if (positive) return Math.min(...answerTtls);
  const soa = response.authorities.find(
    (record) => record.type === 'SOA' && isInDomain(question.name, record.name),
  );
  if (soa?.type !== 'SOA') return undefined;
  return Math.min(soa.ttl, soa.minimum, ...answerTtls);
}
