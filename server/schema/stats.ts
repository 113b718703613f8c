// Stats: counts by status, active workers, documents, throughput; live over statsUpdated.
import { getStats, type Stats } from '../services/stats.ts';
import { builder } from './builder.ts';

const StatusCount = builder.objectRef<{ status: string; count: number }>('StatusCount').implement({
  description: 'How many tasks are in one status.',
  fields: (t) => ({
    status: t.exposeString('status', { description: 'a TaskStatus, e.g. "PENDING"' }),
    count: t.exposeInt('count', { description: 'tasks in it now' }),
  }),
});

const ThroughputBucketRef = builder.objectRef<Stats['throughput'][number]>('ThroughputBucket').implement({
  description: 'What got done in one minute.',
  fields: (t) => ({
    minute: t.expose('minute', { type: 'DateTime', description: 'the start of the minute' }),
    documents: t.exposeInt('documents', { description: 'documents reported by task completions' }),
    tasksCompleted: t.exposeInt('tasksCompleted', { description: 'tasks completed in that minute' }),
  }),
});

const StatsRef = builder.objectRef<Stats>('Stats').implement({
  description: 'The queue at a glance: tasks by status, active workers, documents and recent throughput.',
  fields: (t) => ({
    tasksByStatus: t.field({
      type: [StatusCount],
      description: 'every status with its count (zeros included)',
      resolve: (s) => Object.entries(s.tasksByStatus).map(([status, count]) => ({ status, count })),
    }),
    pending: t.int({ description: 'tasks waiting for a worker', resolve: (s) => s.tasksByStatus.PENDING }),
    running: t.int({
      description: 'tasks leased to a worker (CLAIMED and RUNNING together)',
      resolve: (s) => s.tasksByStatus.CLAIMED + s.tasksByStatus.RUNNING,
    }),
    completed: t.int({ description: 'tasks completed', resolve: (s) => s.tasksByStatus.COMPLETED }),
    failed: t.int({ description: 'tasks failed for good', resolve: (s) => s.tasksByStatus.FAILED }),
    dead: t.int({ description: 'tasks out of attempts', resolve: (s) => s.tasksByStatus.DEAD }),
    cancelled: t.int({ description: 'tasks cancelled by an operator', resolve: (s) => s.tasksByStatus.CANCELLED }),
    tasksTotal: t.exposeInt('tasksTotal', { description: 'all tasks, whatever their status' }),
    activeClients: t.exposeInt('activeClients', { description: 'workers whose status is ACTIVE (heartbeats arrive)' }),
    documentsTotal: t.exposeInt('documentsTotal', { description: 'documents the gate holds' }),
    documentsPerMinute: t.exposeFloat('documentsPerMinute', { description: 'average over the last five full minutes' }),
    throughput: t.field({
      type: [ThroughputBucketRef],
      description: 'per minute, oldest first',
      resolve: (s) => s.throughput,
    }),
    at: t.expose('at', { type: 'DateTime', description: 'when these numbers were computed' }),
  }),
});

builder.queryFields((t) => ({
  stats: t.field({
    type: StatsRef,
    description: 'The queue at a glance, now; statsUpdated sends the same live.',
    args: { minutes: t.arg.int({ required: false, description: 'throughput window, default 30' }) },
    resolve: (_p, args) => getStats(args.minutes ?? 30),
  }),
}));

builder.subscriptionFields((t) => ({
  statsUpdated: t.field({
    type: StatsRef,
    description: 'Stats now, then after changes (at most once a second; all subscribers share one computation).',
    args: { minutes: t.arg.int({ required: false }) },
    subscribe: (_p, args, ctx) => ctx.statsFeed.subscribe(args.minutes ?? 30),
    resolve: (s) => s,
  }),
}));
