/**
 * Sending a gate call until it lands: a call that failed because the gate was unreachable, restarting or
 * overloaded (GateCallError.retryable) is sent again — the same call, the same body — with backoff
 * (0.25 s doubling to 5 s, ±25%), until it succeeds, fails for a reason retrying cannot fix, the deadline
 * passes, or the signal aborts. The last error is rethrown then.
 */
import { isRetryableGateError } from '../gate/client.ts';
import type { Logger } from './log.ts';

export interface PersistOptions {
  log: Logger;
  /** What is being sent, for the log ("completion of task …"). */
  what: string;
  /** Give up at this time (ms since epoch). Default: never. */
  deadline?: number;
  signal?: AbortSignal;
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export function backoffMs(attempt: number): number {
  return Math.round(Math.min(5_000, 250 * 2 ** attempt) * (0.75 + Math.random() * 0.5));
}

export async function persist<T>(
  call: () => Promise<T>,
  { log, what, deadline = Number.POSITIVE_INFINITY, signal }: PersistOptions,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await call();
      if (attempt > 0) log.info(`${what}: delivered after ${attempt} ${attempt === 1 ? 'retry' : 'retries'}`);
      return result;
    } catch (error) {
      const wait = backoffMs(attempt);
      if (!isRetryableGateError(error) || signal?.aborted || Date.now() + wait > deadline) throw error;
      if (attempt === 0) log.warn({ err: (error as Error).message }, `${what}: gate unavailable, retrying`);
      await sleep(wait, signal);
    }
  }
}
