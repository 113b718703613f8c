// Why a holder's write did not apply: the one answer for completions, failures, progress and plan
// completions alike, counted on /metrics (reyestr_stale_lease_rejections_total) each time it is given.
import { prisma } from '../db/database.ts';
import type { TaskRow } from '../db/sql/task-row.ts';
import { GateError, notFound } from './errors.ts';
import { reportOutcome } from './outcomes.ts';

export type LeaseLostReason = 'CANCELLED' | 'COMPLETED' | 'STALE_TOKEN';

const WHY: Record<LeaseLostReason, string> = {
  CANCELLED: 'it was cancelled',
  COMPLETED: 'it was completed',
  STALE_TOKEN: 'expired, released or taken over',
};

/** LEASE_LOST for this task, saying why (cancelled, completed, or the token is stale). */
export function leaseLost(task: Pick<TaskRow, 'id' | 'status'>): GateError {
  const reason: LeaseLostReason =
    task.status === 'CANCELLED' ? 'CANCELLED' : task.status === 'COMPLETED' ? 'COMPLETED' : 'STALE_TOKEN';
  reportOutcome({ type: 'leaseLost', reason });
  return new GateError('LEASE_LOST', `the lease on task ${task.id} is no longer yours (${WHY[reason]})`, { reason });
}

/** As leaseLost, reading the task first (unless `known`); NOT_FOUND when there is no such task. */
export async function leaseLostOn(taskId: string, known?: TaskRow | null): Promise<GateError> {
  const task = known === undefined ? await prisma.task.findUnique({ where: { id: taskId } }) : known;
  return task ? leaseLost(task) : notFound('task', taskId);
}
