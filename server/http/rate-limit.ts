// Per-key token buckets for mutations (REST POSTs and GraphQL mutation fields share one bucket per key):
// `perMinute` tokens refill evenly over a minute, and a full bucket allows a burst of that many.
import { GateError } from '../services/errors.ts';

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** perMinute 0 turns limiting off. */
  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens from the key's bucket, or throws RATE_LIMITED with the seconds to wait. */
  take(key: string, cost = 1): void {
    if (this.perMinute <= 0 || cost <= 0) return;
    const now = this.now();
    const perMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    if (bucket.tokens < cost) {
      this.buckets.set(key, bucket);
      const retryAfterSeconds = Math.max(1, Math.ceil((cost - bucket.tokens) / perMs / 1000));
      throw new GateError('RATE_LIMITED', `too many mutations with this API key: at most ${this.perMinute} a minute; retry in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    bucket.tokens -= cost;
    if (this.buckets.size > 10_000) this.prune(now);
    this.buckets.set(key, bucket);
  }

  /** Forgets buckets that have refilled completely (they behave like new ones). */
  private prune(now: number) {
    const fullAfterMs = 60_000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at > fullAfterMs) this.buckets.delete(key);
  }
}
