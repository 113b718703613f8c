// Per-key limit on mutations (REST POSTs and GraphQL mutation fields share one budget per key): at most
// `perMinute` points in a minute, a point per mutation field. rate-limiter-flexible does the counting.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { GateError } from '../services/errors.ts';

export class RateLimiter {
  private readonly limiter: RateLimiterMemory | null;

  /** perMinute 0 turns limiting off. */
  constructor(readonly perMinute: number) {
    this.limiter = perMinute > 0 ? new RateLimiterMemory({ points: perMinute, duration: 60 }) : null;
  }

  /** Spends `cost` points of the key's budget, or throws RATE_LIMITED with the seconds to wait. */
  async take(key: string, cost = 1): Promise<void> {
    if (!this.limiter || cost <= 0) return;
    try {
      await this.limiter.consume(key, cost);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new GateError(
        'RATE_LIMITED',
        `too many mutations with this API key: at most ${this.perMinute} a minute; retry in ${retryAfterSeconds} s`,
        {
          retryAfterSeconds,
        },
      );
    }
  }
}
