// Stats: counts by status, active workers, documents, throughput; live over statsUpdated.
import { getStats, type Stats } from '../services/stats.ts';
import { builder } from './builder.ts';

const StatusCount = builder.objectRef<{ status: string; count: number }>('StatusCount').implement({
  fields: (t) => ({ status: t.exposeString('status'), count: t.exposeInt('count') }),
});

const ThroughputBucketRef = builder.objectRef<Stats['throughput'][number]>('ThroughputBucket').implement({
  fields: (t) => ({
    minute: t.expose('minute', { type: 'DateTime' }),
    documents: t.exposeInt('documents', { description: 'documents reported by task completions' }),
    tasksCompleted: t.exposeInt('tasksCompleted'),
  }),
});

const StatsRef = builder.objectRef<Stats>('Stats').implement({
  fields: (t) => ({
    tasksByStatus: t.field({
      type: [StatusCount],
      resolve: (s) => Object.entries(s.tasksByStatus).map(([status, count]) => ({ status, count })),
    }),
    pending: t.int({ resolve: (s) => s.tasksByStatus.PENDING }),
    running: t.int({ resolve: (s) => s.tasksByStatus.CLAIMED + s.tasksByStatus.RUNNING }),
    completed: t.int({ resolve: (s) => s.tasksByStatus.COMPLETED }),
    failed: t.int({ resolve: (s) => s.tasksByStatus.FAILED }),
    dead: t.int({ resolve: (s) => s.tasksByStatus.DEAD }),
    cancelled: t.int({ resolve: (s) => s.tasksByStatus.CANCELLED }),
    tasksTotal: t.exposeInt('tasksTotal'),
    activeClients: t.exposeInt('activeClients'),
    documentsTotal: t.exposeInt('documentsTotal'),
    documentsPerMinute: t.exposeFloat('documentsPerMinute', { description: 'average over the last five full minutes' }),
    throughput: t.field({
      type: [ThroughputBucketRef],
      description: 'per minute, oldest first',
      resolve: (s) => s.throughput,
    }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  stats: t.field({
    type: StatsRef,
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
