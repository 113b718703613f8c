// The task event log over GraphQL: the TaskEvent object and the live subscriptions built on it.
import { prisma } from '../db/database.ts';
import { filter, releasable } from '../events/streams.ts';
import type { TaskEvent } from '../events/task-events.ts';
import { parseId } from '../services/ids.ts';
import { builder } from './builder.ts';
import { SHARED_LIVE, type SharedLive } from './shared-live.ts';
import { TaskStatusEnum } from './enums.ts';
import { TaskRef } from './task.ts';

export const TaskEventRef = builder.prismaObject('TaskEvent', {
  description:
    'One change of a task (CREATED, CLAIMED, PROGRESS, COMPLETED, FAILED, LEASE_EXPIRED, RELEASED, CANCELLED, RETRIED, …).',
  fields: (t) => ({
    seq: t.field({
      type: 'SafeInt',
      description: 'position in the log; pass it as afterSeq to resume',
      resolve: (e) => Number(e.seq),
    }),
    taskId: t.exposeID('taskId', { description: 'the task that changed' }),
    // by id, not as a Prisma relation: the log has no foreign keys (prisma/schema.prisma, TaskEvent). Prisma batches
    // the findUnique calls of one tick into one query, so a page of events costs one query per field, as a relation did.
    task: t.prismaField({
      type: 'Task',
      description: 'that task as it is now (not as it was at the event)',
      resolve: (query, e) => prisma.task.findUniqueOrThrow({ ...query, where: { id: e.taskId } }),
    }),
    type: t.exposeString('type', {
      description:
        'what happened: CREATED, CLAIMED, PROGRESS, COMPLETED, FAILED, LEASE_EXPIRED, RELEASED, CANCELLED, RETRIED, PRIORITY_CHANGED, …',
    }),
    status: t.expose('status', { type: TaskStatusEnum, description: 'the task status after this event' }),
    clientId: t.exposeID('clientId', {
      nullable: true,
      description: 'the worker that caused it; null for an operator or the gate itself (the sweeper)',
    }),
    client: t.prismaField({
      type: 'Client',
      nullable: true,
      description: 'that worker; null as clientId is',
      resolve: (query, e) => (e.clientId ? prisma.client.findUnique({ ...query, where: { id: e.clientId } }) : null),
    }),
    data: t.expose('data', {
      type: 'JSON',
      nullable: true,
      description:
        'details of the type, e.g. the counters of a PROGRESS ({"downloaded": 40, "total": 120}) or the error of a FAILED; null when there are none',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it happened' }),
  }),
});

const TaskEventFilter = builder.inputType('TaskEventFilter', {
  description: 'Which events a subscription delivers; every field given must match (none: every event).',
  fields: (t) => ({
    taskId: t.id({ required: false, description: "only this task's events" }),
    clientId: t.id({ required: false, description: 'only events this worker caused' }),
    status: t.field({
      type: [TaskStatusEnum],
      required: false,
      description: 'only events that leave their task in one of these statuses',
    }),
    types: t.stringList({ required: false, description: 'only these event types, e.g. ["COMPLETED", "FAILED"]' }),
  }),
});

interface EventFilter {
  taskId?: string | null;
  clientId?: string | null;
  status?: string[] | null;
  types?: string[] | null;
}

function matches(e: TaskEvent, f: EventFilter) {
  return (
    (!f.taskId || e.taskId === f.taskId) &&
    (!f.clientId || e.clientId === f.clientId) &&
    (!f.status?.length || f.status.includes(e.status)) &&
    (!f.types?.length || f.types.includes(e.type))
  );
}

const TaskAvailableRef = builder.objectRef<TaskEvent>('TaskAvailable').implement({
  description: 'A nudge: a task became claimable. Claim; another worker may have been faster.',
  fields: (t) => ({
    taskId: t.exposeID('taskId', { description: 'the task that became claimable' }),
    reason: t.exposeString('type', {
      description:
        'the event that made it claimable: CREATED, RETRIED, RELEASED, LEASE_EXPIRED, FAILED (to be retried), …',
    }),
    seq: t.field({
      type: 'SafeInt',
      description: "that event's position in the task event log",
      resolve: (e) => Number(e.seq),
    }),
  }),
});

builder.queryFields((t) => ({
  eventLogPosition: t.field({
    type: 'SafeInt',
    description:
      "The newest task event this gate has delivered to its subscribers: the log's live end. Subscribe to taskEvents with afterSeq = eventLogPosition − N to see the last N events first, then the live ones (reyestr tasks watch does, N = --replay).",
    resolve: (_p, _a, ctx) => Number(ctx.bus.deliveredSeq),
  }),
  taskEvents: t.prismaField({
    type: ['TaskEvent'],
    description:
      "The log after a seq, oldest first (at most 1000). Ends at the log's horizon: an event whose transaction is still open shows up on a later call, never after a later seq was returned.",
    args: {
      afterSeq: t.arg({ type: 'SafeInt', required: false }),
      taskId: t.arg.id({ required: false }),
      limit: t.arg.int({ required: false }),
    },
    resolve: (query, _p, args, ctx) => {
      const upTo = ctx.bus.horizonSeq;
      const after = BigInt(Math.max(0, args.afterSeq ?? 0));
      return prisma.taskEvent.findMany({
        ...query,
        where: {
          seq: upTo === null ? { gt: after } : { gt: after, lte: upTo },
          ...(args.taskId ? { taskId: parseId(args.taskId, 'taskId') } : {}),
        },
        orderBy: { seq: 'asc' },
        take: Math.min(Math.max(args.limit ?? 100, 1), 1000),
      });
    },
  }),
}));

builder.subscriptionFields((t) => ({
  taskEvents: t.field({
    type: TaskEventRef,
    description:
      "Task events as they happen. Without afterSeq, from this gate's live end (eventLogPosition) on: an event committed a few ms before subscribing may still come. With afterSeq, first replays the log after it (no gap, no repeat).",
    args: {
      filter: t.arg({ type: TaskEventFilter, required: false }),
      afterSeq: t.arg({ type: 'SafeInt', required: false }),
    },
    // live only without afterSeq: a replay is each subscriber's own
    extensions: { [SHARED_LIVE]: ((args) => args.afterSeq == null) satisfies SharedLive },
    subscribe: (_p, args, ctx) => {
      const f: EventFilter = {
        ...args.filter,
        taskId: args.filter?.taskId ? parseId(args.filter.taskId, 'taskId') : null,
        clientId: args.filter?.clientId ? parseId(args.filter.clientId, 'clientId') : null,
      };
      const after = args.afterSeq == null ? null : BigInt(Math.max(0, args.afterSeq));
      return releasable((signal) => filter(ctx.bus.taskEvents(after, signal), (e) => matches(e, f)));
    },
    resolve: (e) => e,
  }),
  taskUpdated: t.field({
    type: TaskRef,
    description: 'The task now, then again after each of its events.',
    args: { id: t.arg.id() },
    subscribe: (_p, args, ctx) => {
      const id = parseId(args.id);
      return releasable((signal) => taskStates(id, ctx.bus.taskEvents(null, signal)));
    },
    resolve: (task) => task,
  }),
  taskAvailable: t.field({
    type: TaskAvailableRef,
    description: 'Nudges idle workers when a task becomes claimable, so they need not poll.',
    extensions: { [SHARED_LIVE]: true },
    subscribe: (_p, _a, ctx) => ctx.bus.subscribe('taskAvailable'),
    resolve: (e) => e,
  }),
}));

async function* taskStates(taskId: string, events: AsyncIterable<TaskEvent>) {
  const first = await prisma.task.findUnique({ where: { id: taskId } });
  if (!first) return;
  yield first;
  for await (const e of events) {
    if (e.taskId !== taskId) continue;
    const task = await prisma.task.findUnique({ where: { id: taskId } });
    if (task) yield task;
  }
}
