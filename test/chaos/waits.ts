// What the scenarios wait for: a worker that holds work, and that work taken over by the others.
import { safetyNet } from '../support/deadlines.ts';
import type { ChaosCluster } from './cluster.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tasks the named worker holds now. */
export async function heldBy(cluster: ChaosCluster, workerName: string): Promise<string[]> {
  const { rows } = await cluster.db.query<{ id: string }>(
    `SELECT t.id FROM tasks t JOIN clients c ON c.id = t.lease_holder_id
     WHERE c.name = $1 AND t.status IN ('CLAIMED', 'RUNNING')`,
    [workerName],
  );
  return rows.map((r) => r.id);
}

/** Waits for a worker that holds a task, so killing it really interrupts work. */
export async function busyWorker(cluster: ChaosCluster, timeoutMs = 20_000) {
  const deadline = Date.now() + safetyNet(timeoutMs);
  while (Date.now() < deadline) {
    for (const w of cluster.workers) {
      if (w.child.exitCode === null && w.child.signalCode === null && (await heldBy(cluster, w.name)).length) return w;
    }
    await sleep(50);
  }
  throw new Error('no worker picked up a task');
}

/** Milliseconds from `since` until every one of `taskIds` has been leased again (or finished) by someone else. */
export async function untilReleased(
  cluster: ChaosCluster,
  taskIds: string[],
  victim: string,
  since: number,
  timeoutMs = 180_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await cluster.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tasks t LEFT JOIN clients c ON c.id = t.lease_holder_id
       WHERE t.id = ANY($1::uuid[]) AND (t.status IN ('COMPLETED', 'DEAD', 'FAILED', 'CANCELLED') OR (t.status IN ('CLAIMED', 'RUNNING') AND c.name <> $2))`,
      [taskIds, victim],
    );
    if (rows[0].n === taskIds.length) return Date.now() - since;
    await sleep(50);
  }
  throw new Error(`tasks of ${victim} were not taken over within ${timeoutMs} ms`);
}
