// Bulk actions: retry, cancel or reprioritise every task matching a filter, in one request. The gate walks the
// matches in id order in batches (BULK_BATCH ids read, then one UPDATE … RETURNING + event INSERT per batch, the
// same statements as the one-task actions), so 10,000 tasks are a few round trips, not 10,000, and each change
// is an event as always. A preview counts what an action would change; an action over more than its limit is
// refused whole (narrow the filter or raise the limit), never done in part.
import { z } from 'zod';
import { prisma } from '../db/database.ts';
import { cancelTasks, retryTasks } from '../db/sql/end-leases.ts';
import { setTasksPriority } from '../db/sql/set-task-priority.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { TaskStatus } from '../generated/prisma/enums.ts';
import { requireAdmin, type Actor } from './actor.ts';
import { badInput, parseInput } from './errors.ts';
import { taskWhere, type TaskFilter } from './tasks.ts';

export const BULK_ACTIONS = ['RETRY', 'CANCEL', 'SET_PRIORITY'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** Most tasks one bulk request may change (a default limit, and the ceiling of any limit asked for). */
export const MAX_BULK_TASKS = 100_000;
const BULK_BATCH = 5000;

/** The statuses each action applies to: other matches are left alone (and not counted). */
const APPLIES_TO: Record<BulkAction, TaskStatus[]> = {
  RETRY: ['DEAD', 'FAILED', 'CANCELLED'],
  CANCEL: ['PENDING', 'CLAIMED', 'RUNNING'],
  SET_PRIORITY: ['PENDING', 'CLAIMED', 'RUNNING'],
};

const bulkInput = z
  .object({
    action: z.enum(BULK_ACTIONS),
    priority: z.number().int().min(-1000).max(1000).nullish(),
    limit: z.number().int().min(1).max(MAX_BULK_TASKS).nullish(),
  })
  .refine((b) => b.action !== 'SET_PRIORITY' || b.priority != null, {
    message: 'SET_PRIORITY needs a priority',
    path: ['priority'],
  });
export type BulkInput = z.input<typeof bulkInput> & { filter: TaskFilter };

export interface BulkResult {
  action: BulkAction;
  /** tasks matching the filter that the action applies to (before it ran) */
  matched: number;
  /** tasks it changed (fewer than matched when some moved on meanwhile) */
  changed: number;
  /** false: a preview, nothing changed */
  applied: boolean;
  limit: number;
}

/** The filter and the action's statuses; an empty filter is refused (an action on "everything" is a typo). */
function whereFor(action: BulkAction, filter: TaskFilter | null | undefined): Prisma.TaskWhereInput {
  const where = taskWhere(filter);
  if (!where.AND) throw badInput('filter: give at least one condition (status, error class, plan, worker, dates, …)');
  return { AND: [where, { status: { in: APPLIES_TO[action] } }] };
}

export async function previewBulkTasks(actor: Actor | null, input: BulkInput): Promise<BulkResult> {
  requireAdmin(actor);
  const b = parseInput(bulkInput, input);
  const matched = await prisma.task.count({ where: whereFor(b.action, input.filter) });
  return { action: b.action, matched, changed: 0, applied: false, limit: b.limit ?? MAX_BULK_TASKS };
}

export async function bulkTasks(actor: Actor | null, input: BulkInput): Promise<BulkResult> {
  requireAdmin(actor);
  const b = parseInput(bulkInput, input);
  const where = whereFor(b.action, input.filter);
  const limit = b.limit ?? MAX_BULK_TASKS;
  const matched = await prisma.task.count({ where });
  if (matched > limit) {
    throw badInput(
      `${matched} tasks match, more than the limit of ${limit}: narrow the filter${limit < MAX_BULK_TASKS ? ' or raise limit' : ''}`,
      [{ path: ['limit'], message: `${matched} > ${limit}` }],
    );
  }
  const apply = (ids: string[]) =>
    b.action === 'RETRY'
      ? retryTasks(ids)
      : b.action === 'CANCEL'
        ? cancelTasks(ids, null)
        : setTasksPriority(ids, b.priority!);
  let changed = 0;
  let after: string | undefined;
  // Walk by id: a reprioritised task still matches, so the walk cannot rely on changed rows dropping out.
  while (changed < limit) {
    const batch = await prisma.task.findMany({
      where: after ? { AND: [where, { id: { gt: after } }] } : where,
      select: { id: true },
      orderBy: { id: 'asc' },
      take: Math.min(BULK_BATCH, limit - changed),
    });
    if (batch.length === 0) break;
    after = batch[batch.length - 1].id;
    changed += (await apply(batch.map((t) => t.id))).length;
    if (batch.length < BULK_BATCH) break;
  }
  return { action: b.action, matched, changed, applied: true, limit };
}
