/**
 * `ResponseRateLimiter`: a token bucket per client address on the clock, BIND's response-rate
 * limiting in small: a client over its rate gets no answer, except every `slip`-th, which gets
 * an empty truncated one (a real client then retries over TCP, which a spoofed source cannot).
 *
 * @module
 */
import type { ReactorTime } from '../../source/clock.js';

/** Response-rate limiting, per client address. */
export interface RateLimitOptions {
  /** Responses a client may get per second, on average. */
  readonly responsesPerSecond: number;
  /** Responses a client may get at once after being quiet. Default `responsesPerSecond`. */
  readonly burst?: number;
  /** Every `slip`-th limited response is sent empty with TC set; 0 drops them all. Default 2 (BIND's). */
  readonly slip?: number;
  /** Clients tracked at most; the longest-tracked is forgotten first. Default 10,000. */
  readonly maxClients?: number;
}

/** What to do with one response. */
export type RateVerdict = 'answer' | 'slip' | 'drop';

interface Bucket {
  tokens: number;
  at: number;
  limited: number;
}

/**
 * Decides, per client address, whether a response goes out.
 *
 * @example
 * ```ts
 * const limiter = new ResponseRateLimiter(clock, { responsesPerSecond: 20 });
 * if (limiter.admit('127.0.0.1') === 'answer') send(reply);
 * ```
 */
export class ResponseRateLimiter {
  readonly #clock: ReactorTime;
  readonly #rate: number;
  readonly #burst: number;
  readonly #slip: number;
  readonly #maxClients: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(clock: ReactorTime, options: RateLimitOptions) {
    if (!(options.responsesPerSecond > 0))
      throw new RangeError('rateLimit.responsesPerSecond must be above 0');
    this.#clock = clock;
    this.#rate = options.responsesPerSecond;
    this.#burst = options.burst ?? options.responsesPerSecond;
    this.#slip = options.slip ?? 2;
    this.#maxClients = options.maxClients ?? 10_000;
  }

  /** Takes a token for `address` if it has one. */
  admit(address: string): RateVerdict {
    const now = this.#clock.seconds();
    let bucket = this.#buckets.get(address);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxClients) {
        const oldest = this.#buckets.keys().next().value as string;
        this.#buckets.delete(oldest);
      }
      bucket = { tokens: this.#burst, at: now, limited: 0 };
      this.#buckets.set(address, bucket);
    } else {
      bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#rate);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'answer';
    }
    bucket.limited++;
    return this.#slip > 0 && bucket.limited % this.#slip === 0 ? 'slip' : 'drop';
  }
}
