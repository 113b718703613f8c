// The group-commit batcher alone (server/db/statement-batcher.ts): what forms a batch, what may not share one, and
// that a failed batch answers each request on its own. A fake statement stands in for the database; the tests wait
// on the statement being called, never on a clock.
import { describe, expect, it } from 'vitest';
import { StatementBatcher } from '../../server/db/statement-batcher.ts';

/** A statement whose runs are held open until the test lets them finish. */
function heldStatement(
  opts: {
    conflicts?: (a: number, b: number) => boolean;
    maxBatch?: number;
    failWhen?: (inputs: number[]) => boolean;
  } = {},
) {
  const runs: number[][] = [];
  const open: Array<() => void> = [];
  let onRun: (() => void) | undefined;
  const batcher = new StatementBatcher<number, string>({
    maxBatch: opts.maxBatch ?? 10,
    conflicts: opts.conflicts,
    run: async (inputs) => {
      runs.push(inputs);
      onRun?.();
      await new Promise<void>((resolve) => open.push(resolve));
      if (opts.failWhen?.(inputs)) throw new Error(`failed: ${inputs.join(',')}`);
      return inputs.map((i) => `answer ${i}`);
    },
  });
  /** resolves once `n` runs have started */
  const started = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (runs.length >= n ? resolve() : (onRun = check));
      check();
    });
  const finishAll = () => {
    for (const finish of open.splice(0)) finish();
  };
  return { batcher, runs, started, finishAll };
}

describe('StatementBatcher', () => {
  it('sends a lone request at once, and what arrives while it runs as the next statement', async () => {
    const s = heldStatement();
    const first = s.batcher.submit(1);
    await s.started(1);
    expect(s.runs).toEqual([[1]]);
    const more = [2, 3, 4].map((i) => s.batcher.submit(i));
    s.finishAll();
    await expect(first).resolves.toBe('answer 1');
    await s.started(2);
    expect(s.runs[1]).toEqual([2, 3, 4]);
    s.finishAll();
    await expect(Promise.all(more)).resolves.toEqual(['answer 2', 'answer 3', 'answer 4']);
  });

  it('requests made in the same turn share the first statement', async () => {
    const s = heldStatement();
    const all = [1, 2, 3].map((i) => s.batcher.submit(i));
    await s.started(1);
    s.finishAll();
    await expect(Promise.all(all)).resolves.toEqual(['answer 1', 'answer 2', 'answer 3']);
    expect(s.runs).toEqual([[1, 2, 3]]);
  });

  it('keeps conflicting requests and those past maxBatch for later statements, in order', async () => {
    const s = heldStatement({ conflicts: (a, b) => a % 10 === b % 10, maxBatch: 3 });
    const all = [1, 11, 2, 3, 4, 21].map((i) => s.batcher.submit(i));
    for (let n = 1; n <= 3; n++) {
      await s.started(n);
      s.finishAll();
    }
    await expect(Promise.all(all)).resolves.toEqual([1, 11, 2, 3, 4, 21].map((i) => `answer ${i}`));
    expect(s.runs).toEqual([[1, 2, 3], [11, 4], [21]]);
  });

  it('a failed batch is run again request by request: only the request that fails alone gets the error', async () => {
    const s = heldStatement({ failWhen: (inputs) => inputs.includes(13) });
    const all = [1, 2, 13].map((i) =>
      s.batcher.submit(i).then(
        (a) => a,
        (e: Error) => e.message,
      ),
    );
    await s.started(1);
    s.finishAll(); // the batch [1, 2, 13] fails
    await s.started(4);
    s.finishAll(); // 1, 2 and 13 alone
    await expect(Promise.all(all)).resolves.toEqual(['answer 1', 'answer 2', 'failed: 13']);
    expect(s.runs).toEqual([[1, 2, 13], [1], [2], [13]]);
  });
});
