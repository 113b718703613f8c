// The tasks a client holds a lease on now, by lease_holder_id: not a Prisma relation, since the column has no foreign
// key (prisma/schema.prisma, Task.leaseHolderId). The Prisma relation answered a list of clients with one query for
// all of them; so does this: DataLoader gathers the calls of one tick (Client.currentTasks of every client in a
// `clients` answer is asked in the same pass) and they go as one findMany per selection. Nothing is cached between
// calls: a lease changes from one request to the next.
import DataLoader from 'dataloader';
import { prisma } from '../db/database.ts';
import type { Prisma, Task } from '../generated/prisma/client.ts';

/** What Pothos asks of the tasks (include or select of the fields below Task). */
type TaskQuery = Pick<Prisma.TaskFindManyArgs, 'include' | 'select'>;

interface Asked {
  query: TaskQuery;
  clientId: string;
}

const leasedTasks = new DataLoader<Asked, Task[]>(loadLeasedTasks, { cache: false });

export const currentTasksOf = (query: TaskQuery, clientId: string): Promise<Task[]> =>
  leasedTasks.load({ query, clientId });

/** One findMany per distinct selection among `asked`; the answers in the order asked. */
async function loadLeasedTasks(asked: readonly Asked[]): Promise<Task[][]> {
  const bySelection = groupBy(asked, (a) => JSON.stringify(a.query));
  const held = new Map<Asked, Task[]>();
  await Promise.all(
    [...bySelection.values()].map(async (group) => {
      const { query } = group[0];
      // a select must name the column the rows are grouped by
      const select = query.select && { ...query.select, leaseHolderId: true };
      const tasks = (await prisma.task.findMany({
        ...query,
        ...(select && { select }),
        where: { leaseHolderId: { in: group.map((a) => a.clientId) }, status: { in: ['CLAIMED', 'RUNNING'] } },
        orderBy: { claimedAt: 'asc' },
      })) as Task[];
      const byClient = groupBy(tasks, (task) => task.leaseHolderId!);
      for (const a of group) held.set(a, byClient.get(a.clientId) ?? []);
    }),
  );
  return asked.map((a) => held.get(a)!);
}

/** Map.groupBy, which Node 20 lacks. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
