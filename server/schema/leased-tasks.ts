// The tasks a client holds a lease on now, by lease_holder_id: not a Prisma relation, since the column has no foreign
// key (prisma/schema.prisma, Task.leaseHolderId). The Prisma relation answered a list of clients with one query for
// all of them; so does this: the calls made in one tick with the same selection go as one findMany, as DataLoader
// batches (Client.currentTasks of every client in a `clients` answer is asked in the same pass).
import { prisma } from '../db/database.ts';
import type { Prisma, Task } from '../generated/prisma/client.ts';

/** What Pothos asks of the tasks (include or select of the fields below Task). */
type TaskQuery = Pick<Prisma.TaskFindManyArgs, 'include' | 'select'>;

interface Waiting {
  resolve(tasks: Task[]): void;
  reject(error: unknown): void;
}

/** Per selection (its JSON), the clients asked for in this tick. */
let pending = new Map<string, { query: TaskQuery; byClient: Map<string, Waiting[]> }>();

export function currentTasksOf(query: TaskQuery, clientId: string): Promise<Task[]> {
  return new Promise((resolve, reject) => {
    if (!pending.size) void Promise.resolve().then(() => process.nextTick(runPending));
    const key = JSON.stringify(query);
    let batch = pending.get(key);
    if (!batch) {
      batch = { query, byClient: new Map() };
      pending.set(key, batch);
    }
    const waiting = batch.byClient.get(clientId);
    if (waiting) waiting.push({ resolve, reject });
    else batch.byClient.set(clientId, [{ resolve, reject }]);
  });
}

function runPending() {
  const batches = pending;
  pending = new Map();
  for (const { query, byClient } of batches.values()) void load(query, byClient);
}

async function load(query: TaskQuery, byClient: Map<string, Waiting[]>) {
  try {
    // a select must name the column the rows are grouped by
    const select = query.select && { ...query.select, leaseHolderId: true };
    const tasks = await prisma.task.findMany({
      ...query,
      ...(select && { select }),
      where: { leaseHolderId: { in: [...byClient.keys()] }, status: { in: ['CLAIMED', 'RUNNING'] } },
      orderBy: { claimedAt: 'asc' },
    });
    const held = new Map<string, Task[]>();
    for (const task of tasks as Task[]) {
      const list = held.get(task.leaseHolderId!);
      if (list) list.push(task);
      else held.set(task.leaseHolderId!, [task]);
    }
    for (const [clientId, waiting] of byClient) for (const w of waiting) w.resolve(held.get(clientId) ?? []);
  } catch (error) {
    for (const waiting of byClient.values()) for (const w of waiting) w.reject(error);
  }
}
