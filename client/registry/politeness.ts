/**
 * Politeness towards one registry host: a request-start rate limit and a concurrency cap (p-queue),
 * a shared pause when the registry asks us to wait (429/503 Retry-After), and exponential backoff
 * (p-retry) on network errors and 5xx. An error page or a shown captcha is never retried: the caller
 * stops. Both transports send every request through here.
 */
import PQueue from 'p-queue';
import pRetry, { AbortError } from 'p-retry';
import { RegistryError, isRegistryError } from '../rules/index.ts';

export interface PolitenessOptions {
  /** At most one request starts per this many ms (0 = no rate limit). */
  minDelayMs: number;
  /** Requests in flight at once. */
  maxConcurrency: number;
  /** Retries after a network error or 5xx, with exponential backoff from backoffMinMs to backoffMaxMs. */
  retries: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  /** How many 429/503 answers in a row one request waits out before reporting RATE_LIMITED. */
  rateLimitWaits: number;
  /** Wait used when a 429/503 has no (valid) Retry-After; a longer Retry-After than maxRetryAfterMs is reported, not waited. */
  defaultRetryAfterMs: number;
  maxRetryAfterMs: number;
}

export const DEFAULT_POLITENESS: PolitenessOptions = {
  minDelayMs: 500,
  maxConcurrency: 2,
  retries: 4,
  backoffMinMs: 1_000,
  backoffMaxMs: 30_000,
  rateLimitWaits: 3,
  defaultRetryAfterMs: 30_000,
  maxRetryAfterMs: 300_000,
};

/** For benchmarks and local fakes only: no rate limit, no artificial concurrency cap. */
export const NO_POLITENESS: Partial<PolitenessOptions> = { minDelayMs: 0, maxConcurrency: 64 };

/** `Retry-After` as seconds or an HTTP date → ms, or null. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Turns an HTTP status into the error class the session acts on (null = a page to parse). */
export function errorForStatus(status: number, url: string, retryAfterHeader: string | null): RegistryError | null {
  if (status === 429 || status === 503) {
    return new RegistryError('RATE_LIMITED', `the registry answered ${status} for ${url}`, {
      reason: `http-${status}`,
      url,
      status,
      retryAfterMs: parseRetryAfter(retryAfterHeader) ?? undefined,
    });
  }
  // 5xx are retried with backoff by HostPoliteness.run; 4xx are final.
  if (status >= 400)
    return new RegistryError('REGISTRY_ERROR', `the registry answered ${status} for ${url}`, {
      reason: `http-${status}`,
      url,
      status,
    });
  return null;
}

const isRetryable = (error: unknown) =>
  isRegistryError(error, 'NETWORK') || (isRegistryError(error, 'REGISTRY_ERROR') && (error.status ?? 0) >= 500);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PolitenessStats {
  requests: number;
  retries: number;
  rateLimitWaits: number;
  rateLimitWaitMs: number;
}

export class HostPoliteness {
  readonly options: PolitenessOptions;
  readonly stats: PolitenessStats = { requests: 0, retries: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 };
  private readonly queue: PQueue;
  private pausedUntil = 0;

  constructor(options: Partial<PolitenessOptions> = {}) {
    this.options = { ...DEFAULT_POLITENESS, ...options };
    const { minDelayMs, maxConcurrency } = this.options;
    this.queue = new PQueue({
      concurrency: maxConcurrency,
      ...(minDelayMs > 0 ? { interval: minDelayMs, intervalCap: 1 } : {}),
    });
  }

  /** Every request waits while the host asked us to back off. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  /** One request slot: rate limit + concurrency + any pending Retry-After pause. */
  private async slot<T>(request: () => Promise<T>): Promise<T> {
    return this.queue.add(
      async () => {
        const wait = this.pausedUntil - Date.now();
        if (wait > 0) await sleep(wait);
        this.stats.requests++;
        return request();
      },
      { throwOnTimeout: true },
    );
  }

  /**
   * Runs one logical request (`attempt` performs one HTTP exchange and throws RegistryError on
   * failure): waits out 429/503 up to `rateLimitWaits` times, retries network errors/5xx with
   * backoff, and rethrows anything else at once.
   */
  async run<T>(attempt: () => Promise<T>): Promise<T> {
    const { retries, backoffMinMs, backoffMaxMs } = this.options;
    return pRetry(
      async () => {
        try {
          return await this.withRateLimitWaits(attempt);
        } catch (error) {
          if (isRetryable(error)) throw error;
          throw new AbortError(error as Error);
        }
      },
      {
        retries,
        minTimeout: backoffMinMs,
        maxTimeout: backoffMaxMs,
        factor: 2,
        randomize: true,
        onFailedAttempt: (error) => {
          if (error.retriesLeft > 0) this.stats.retries++;
        },
      },
    );
  }

  private async withRateLimitWaits<T>(attempt: () => Promise<T>): Promise<T> {
    for (let waits = 0; ; waits++) {
      try {
        return await this.slot(attempt);
      } catch (error) {
        if (!isRegistryError(error, 'RATE_LIMITED')) throw error;
        const waitMs = error.retryAfterMs ?? this.options.defaultRetryAfterMs;
        if (waits >= this.options.rateLimitWaits || waitMs > this.options.maxRetryAfterMs) throw error;
        this.stats.rateLimitWaits++;
        this.stats.rateLimitWaitMs += waitMs;
        this.pauseFor(waitMs);
      }
    }
  }
}
