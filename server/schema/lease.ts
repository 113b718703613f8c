// What workers call: claim, heartbeat, progress, complete, fail, release. Every write after the claim
// carries the lease token the claim returned.
import * as leases from '../services/leases.ts';
import type { Lease } from '../services/leases.ts';
import { builder } from './builder.ts';
import { ErrorClassEnum } from './enums.ts';
import { TaskRef } from './task.ts';

const LeaseRef = builder.objectRef<Lease>('Lease').implement({
  description: 'A task leased to a worker. Present leaseToken on every write; it is the fence against stale holders.',
  fields: (t) => ({
    task: t.field({ type: TaskRef, resolve: (l) => l.task }),
    leaseToken: t.exposeString('leaseToken'),
    leaseEpoch: t.exposeInt('leaseEpoch'),
    leaseExpiresAt: t.expose('leaseExpiresAt', { type: 'DateTime' }),
  }),
});

const HeldLeaseRef = builder.objectRef<{ id: string; leaseExpiresAt: Date }>('HeldLease').implement({
  fields: (t) => ({ taskId: t.exposeID('id'), leaseExpiresAt: t.expose('leaseExpiresAt', { type: 'DateTime' }) }),
});

const HeartbeatPayload = builder.objectRef<Awaited<ReturnType<typeof leases.heartbeat>>>('HeartbeatPayload').implement({
  fields: (t) => ({
    leases: t.field({ type: [HeldLeaseRef], resolve: (p) => p.leases }),
    revokedTaskIds: t.idList({
      resolve: (p) => p.revokedTaskIds,
      description: 'named tasks no longer yours: stop them',
    }),
    leaseSeconds: t.float({ resolve: (p) => p.leaseSeconds, description: 'lease length; extend every third of it' }),
  }),
});

type InputFields = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

/** What every holder write carries: the task, the fence, and this lease's absolute counters. */
const leaseCounters = (f: InputFields) => ({
  taskId: f.id(),
  leaseToken: f.string(),
  documentsDownloaded: f.int(),
  documentsFailed: f.int({ required: false }),
  documentsSkipped: f.int({ required: false }),
});

const FailedDocumentReportInput = builder.inputType('FailedDocumentReportInput', {
  description: 'A decision the worker could not download, and why.',
  fields: (f) => ({
    documentId: f.string({ description: "the registry's id" }),
    errorClass: f.field({ type: ErrorClassEnum, description: 'what kind of failure' }),
    message: f.string({ description: 'the reason' }),
    courtName: f.string({ required: false, description: 'from the results row' }),
    adoptedOn: f.string({ required: false, description: 'from the results row, YYYY-MM-DD' }),
  }),
});

const CompleteTaskInput = builder.inputType('CompleteTaskInput', {
  fields: (f) => ({ ...leaseCounters(f), resultSummary: f.field({ type: 'JSON', required: false }) }),
});

const CompletionResultRef = builder.objectRef<leases.CompletionResult>('CompletionResult').implement({
  description: 'One item of completeTasks: the task, or why it was not completed.',
  fields: (t) => ({
    taskId: t.exposeID('taskId'),
    task: t.field({ type: TaskRef, nullable: true, resolve: (r) => r.task ?? null }),
    errorCode: t.string({
      nullable: true,
      description: 'LEASE_LOST, CONFLICT, NOT_FOUND',
      resolve: (r) => r.error?.code ?? null,
    }),
    error: t.string({ nullable: true, resolve: (r) => r.error?.message ?? null }),
  }),
});

const LeaseInput = builder.inputType('LeaseInput', { fields: (t) => ({ taskId: t.id(), leaseToken: t.string() }) });

builder.mutationFields((t) => ({
  claimTask: t.field({
    type: LeaseRef,
    nullable: true,
    authScopes: { reader: true },
    description: 'Leases the most urgent runnable task to this worker; null when there is none.',
    args: { input: t.arg({ type: builder.inputType('ClaimTaskInput', { fields: (f) => ({ clientId: f.id() }) }) }) },
    resolve: async (_root, { input }, ctx) =>
      (await leases.claimTasks(ctx.actor, { clientId: input.clientId }))[0] ?? null,
  }),
  claimTasks: t.field({
    type: [LeaseRef],
    authScopes: { reader: true },
    description: 'Leases up to `limit` tasks (1..500) in one statement.',
    args: {
      input: t.arg({
        type: builder.inputType('ClaimTasksInput', { fields: (f) => ({ clientId: f.id(), limit: f.int() }) }),
      }),
    },
    resolve: (_root, { input }, ctx) => leases.claimTasks(ctx.actor, { clientId: input.clientId, limit: input.limit }),
  }),
  heartbeat: t.field({
    type: HeartbeatPayload,
    authScopes: { reader: true },
    description:
      'Marks the worker alive and extends its leases: the tasks named in taskIds, or all it holds when taskIds is absent.',
    args: {
      input: t.arg({
        type: builder.inputType('HeartbeatInput', {
          fields: (f) => ({
            clientId: f.id(),
            taskIds: f.idList({ required: false, description: 'tasks the worker is running' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) =>
      leases.heartbeat(ctx.actor, { clientId: input.clientId, taskIds: input.taskIds }),
  }),
  reportProgress: t.field({
    type: LeaseRef,
    authScopes: { reader: true },
    description: 'Absolute counters of this lease; extends the lease. LEASE_LOST when it is no longer yours.',
    args: {
      input: t.arg({
        type: builder.inputType('ReportProgressInput', {
          fields: (f) => ({
            ...leaseCounters(f),
            totalExpected: f.int({ required: false }),
            documentId: f.string({ required: false }),
            failedDocuments: f.field({
              type: [FailedDocumentReportInput],
              required: false,
              description: `decisions that failed since the last report (at most ${leases.MAX_FAILED_PER_REPORT})`,
            }),
            logLines: f.stringList({
              required: false,
              description: `the worker's newest log lines for this task (at most ${leases.MAX_LOG_LINES}, each cut to ${leases.MAX_LOG_LINE_CHARS} characters); the gate keeps the last ${leases.MAX_LOG_LINES} of the lease`,
            }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) => leases.reportProgress(ctx.actor, input),
  }),
  completeTasks: t.field({
    type: [CompletionResultRef],
    authScopes: { reader: true },
    description: 'Completes up to 500 leased tasks in one statement; each item answers on its own.',
    args: {
      input: t.arg({
        type: builder.inputType('CompleteTasksInput', {
          fields: (f) => ({ completions: f.field({ type: [CompleteTaskInput] }) }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) => leases.completeTasks(ctx.actor, input.completions),
  }),
  completeTask: t.field({
    type: TaskRef,
    authScopes: { reader: true },
    description: 'Idempotent: the same token and body again returns the same task and counts nothing twice.',
    args: {
      input: t.arg({ type: CompleteTaskInput }),
    },
    resolve: (_root, { input }, ctx) => leases.completeTask(ctx.actor, input),
  }),
  failTask: t.field({
    type: TaskRef,
    authScopes: { reader: true },
    description: 'Retried with backoff until maxAttempts (then DEAD); RATE_LIMITED and CHALLENGE use no attempt.',
    args: {
      input: t.arg({
        type: builder.inputType('FailTaskInput', {
          fields: (f) => ({
            taskId: f.id(),
            leaseToken: f.string(),
            errorClass: f.field({ type: ErrorClassEnum }),
            message: f.string(),
            retryable: f.boolean({ required: false, description: 'false: retrying cannot help (default true)' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) => leases.failTask(ctx.actor, { ...input, retryable: input.retryable ?? true }),
  }),
  releaseTasks: t.field({
    type: [TaskRef],
    authScopes: { reader: true },
    description: 'Hands leased tasks back (e.g. on shutdown): claimable again at once, no attempt used.',
    args: {
      input: t.arg({
        type: builder.inputType('ReleaseTasksInput', { fields: (f) => ({ leases: f.field({ type: [LeaseInput] }) }) }),
      }),
    },
    resolve: (_root, { input }, ctx) =>
      leases.releaseTasks(ctx.actor, {
        leases: input.leases,
      }),
  }),
}));
