// The worker's and the outbox's sleep: a wake-up that comes while the loop is busy must end the next nap,
// or a stop (SIGTERM) or a taskAvailable nudge waits out a whole poll interval.
import { describe, expect, it } from 'vitest';
import { Waker } from '../../client/worker/waker.ts';

describe('Waker', () => {
  it('ends a running nap at once', async () => {
    const waker = new Waker();
    const nap = waker.nap(3_600_000);
    waker.wake();
    await nap; // a lost wake-up would hang here until the test's timeout
  });

  it('remembers a wake-up that came while nobody slept, once', async () => {
    const waker = new Waker();
    waker.wake();
    waker.wake();
    await waker.nap(3_600_000);
    let ended = false;
    const next = waker.nap(50).then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false); // the remembered wake-up was used up by the first nap
    await next;
  });
});
