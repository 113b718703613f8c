// What operators do with tasks: create (one or many), cancel, retry, reprioritise, and the filters every
// listing (GraphQL, REST, CLI, dashboard) shares.
import { z } from 'zod';
import { prisma } from '../db/database.ts';
import { cancelTasks as cancelTasksSql, retryTasks as retryTasksSql } from '../db/sql/end-leases.ts';
import { taskEventsWritten } from '../db/event-writes.ts';
import { insertTasks } from '../db/sql/insert-tasks.ts';
import type { TaskRow } from '../db/sql/task-row.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { ErrorClass, TaskStatus } from '../generated/prisma/enums.ts';
import { requireActor, requireAdmin, type Actor } from './actor.ts';
import { GateError, notFound, parseInput } from './errors.ts';
import { idSchema, parseId } from './ids.ts';
import { parseIds, parseNewTasks, searchParamsOf, type NewTaskInput } from './task-input.ts';

export async function createTasks(actor: Actor | null, inputs: NewTaskInput[]): Promise<TaskRow[]> {
  requireAdmin(actor);
  return insertTasks(parseNewTasks(inputs));
}

export async function createTask(actor: Actor | null, input: NewTaskInput): Promise<TaskRow> {
  const [task] = await createTasks(actor, [input]);
  if (!task) throw new GateError('CONFLICT', 'a task with this dedup key exists already');
  return task;
}

/** Cancels pending and running tasks. Tasks in another state make it a CONFLICT, unknown ids NOT_FOUND. */
export async function cancelTasks(actor: Actor | null, ids: string[]): Promise<TaskRow[]> {
  requireAdmin(actor);
  const taskIds = parseIds(ids);
  return explainUnchanged(
    taskIds,
    await cancelTasksSql(taskIds, null),
    'only pending or running tasks can be cancelled',
  );
}

/** Puts dead, failed or cancelled tasks back in the queue with fresh attempts. */
export async function retryTasks(actor: Actor | null, ids: string[]): Promise<TaskRow[]> {
  requireAdmin(actor);
  const taskIds = parseIds(ids);
  return explainUnchanged(taskIds, await retryTasksSql(taskIds), 'only dead, failed or cancelled tasks can be retried');
}

export async function setTaskPriority(actor: Actor | null, id: string, priority: number): Promise<TaskRow> {
  requireAdmin(actor);
  const [taskId] = parseIds([id]);
  const p = parseInput(z.number().int().min(-1000).max(1000), priority);
  const found = await prisma.task.findUnique({ where: { id: taskId } });
  if (!found) throw notFound('task', taskId);
  const changed = await prisma.$transaction(async (tx) => {
    const task = await tx.task.update({ where: { id: taskId }, data: { priority: p, updatedAt: new Date() } });
    await tx.taskEvent.create({
      data: { taskId, type: 'PRIORITY_CHANGED', status: task.status, data: { priority: p } },
    });
    return task;
  });
  taskEventsWritten();
  return changed;
}

async function explainUnchanged(ids: string[], changed: TaskRow[], rule: string): Promise<TaskRow[]> {
  if (changed.length === ids.length) return changed;
  const changedIds = new Set(changed.map((t) => t.id));
  const missing = ids.filter((id) => !changedIds.has(id));
  const existing = await prisma.task.findMany({ where: { id: { in: missing } }, select: { id: true, status: true } });
  if (existing.length < missing.length) {
    const unknown = missing.find((id) => !existing.some((t) => t.id === id))!;
    if (changed.length === 0) throw notFound('task', unknown);
  }
  if (changed.length === 0) {
    throw new GateError('CONFLICT', `task ${existing[0].id} is ${existing[0].status}: ${rule}`);
  }
  return changed;
}

export const taskFilterSchema = z.object({
  status: z.array(z.enum(TaskStatus)).max(10).nullish(),
  clientId: idSchema.nullish(),
  priorityMin: z.number().int().nullish(),
  priorityMax: z.number().int().nullish(),
  createdAfter: z.date().nullish(),
  createdBefore: z.date().nullish(),
  /** tasks whose search params include these values (registry field names) */
  searchParams: z.unknown().optional(),
  kind: z.enum(['DOWNLOAD', 'PLAN']).nullish(),
  parentId: idSchema.nullish(),
  /** the class of the task's last error */
  errorClass: z.array(z.enum(ErrorClass)).max(10).nullish(),
  planId: idSchema.nullish(),
  followId: idSchema.nullish(),
});
export type TaskFilter = z.input<typeof taskFilterSchema>;

export function taskWhere(filterInput: TaskFilter | null | undefined): Prisma.TaskWhereInput {
  const f = parseInput(taskFilterSchema, filterInput ?? {});
  const and: Prisma.TaskWhereInput[] = [];
  if (f.status?.length) and.push({ status: { in: f.status } });
  if (f.clientId) and.push({ leaseHolderId: f.clientId });
  if (f.priorityMin != null) and.push({ priority: { gte: f.priorityMin } });
  if (f.priorityMax != null) and.push({ priority: { lte: f.priorityMax } });
  if (f.createdAfter) and.push({ createdAt: { gte: f.createdAfter } });
  if (f.createdBefore) and.push({ createdAt: { lt: f.createdBefore } });
  if (f.kind) and.push({ kind: f.kind });
  if (f.parentId) and.push({ parentId: f.parentId });
  if (f.errorClass?.length) and.push({ lastErrorClass: { in: f.errorClass } });
  if (f.planId) and.push({ planId: f.planId });
  if (f.followId) and.push({ followId: f.followId });
  if (f.searchParams != null) {
    // Normalised like stored params (multi-selects are lists), then matched field by field.
    for (const [field, value] of Object.entries(searchParamsOf(f.searchParams))) {
      and.push({
        searchParams: Array.isArray(value)
          ? { path: [field], array_contains: value }
          : { path: [field], equals: value },
      });
    }
  }
  return and.length ? { AND: and } : {};
}

/** One task by id; NOT_FOUND when unknown. */
export async function getTask(actor: Actor | null, id: string): Promise<TaskRow> {
  requireActor(actor);
  const taskId = parseId(id, 'taskId');
  const task = await prisma.task.findUnique({ where: { id: taskId } });
  if (!task) throw notFound('task', taskId);
  return task;
}

/** Tasks matching a filter, newest first. */
export async function listTasks(actor: Actor | null, filter: TaskFilter | null, limit: number): Promise<TaskRow[]> {
  requireActor(actor);
  const take = parseInput(z.number().int().min(1).max(1000), limit);
  return prisma.task.findMany({ where: taskWhere(filter), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take });
}
