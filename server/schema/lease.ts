// What workers call: claim, heartbeat, progress, complete, fail, release. Every write after the claim
// carries the lease token the claim returned.
import type { GraphQLResolveInfo } from 'graphql';
import type { CountedRow, TaskRow } from '../db/sql/task-row.ts';
import * as leases from '../services/leases.ts';
import type { Lease, LeaseRow } from '../services/leases.ts';
import { builder } from './builder.ts';
import { ErrorClassEnum } from './enums.ts';
import { selectsOnly } from './selection.ts';
import { TaskRef } from './task.ts';

/** The Task fields a TaskKeyRow answers. */
const KEY_FIELDS: ReadonlySet<string> = new Set(['id', '__typename']);
/**
 * Which columns a claim or completion fetches: only the key when the query reads no more of each task (at `path`
 * below the field: the lease's or completion result's `task`, or the completed Task itself) than its id (then the
 * row's other fields are never read: `asTask` below).
 */
const taskColumnsFor = (info: GraphQLResolveInfo, path = ['task']) =>
  selectsOnly(info, path, KEY_FIELDS) ? 'key' : 'whole';
/** completeTask answers the Task itself */
const NO_PATH: string[] = [];
/** The Lease fields a 'leaseToken' row answers (with the task's KEY_FIELDS). */
const TOKEN_FIELDS: ReadonlySet<string> = new Set(['leaseToken', 'task', '__typename']);
/** A batch claim's columns: as taskColumnsFor, and only the token when the query reads no other field of the lease. */
const claimColumnsFor = (info: GraphQLResolveInfo) => {
  const columns = taskColumnsFor(info);
  return columns === 'key' && selectsOnly(info, NO_PATH, TOKEN_FIELDS) ? 'leaseToken' : columns;
};
/** A batch completion's columns: the documents each counted (the metrics) where taskColumnsFor would take the key. */
const completionColumnsFor = (info: GraphQLResolveInfo) => (taskColumnsFor(info) === 'key' ? 'counted' : 'whole');
/** A task row as Task resolves it: a key row only where the query selects no more than KEY_FIELDS of it. */
const asTask = (row: Pick<TaskRow, 'id'>) => row as TaskRow;

const LeaseRef = builder.objectRef<Lease<LeaseRow>>('Lease').implement({
  description: 'A task leased to a worker. Present leaseToken on every write; it is the fence against stale holders.',
  fields: (t) => ({
    task: t.field({ type: TaskRef, description: 'the task as it is now', resolve: (l) => asTask(l.task) }),
    leaseToken: t.exposeString('leaseToken', {
      description:
        'the secret of this lease: every progress, completion or failure must send it (a new claim gets a new one)',
    }),
    leaseEpoch: t.exposeInt('leaseEpoch', {
      description: 'how many times the task has been leased, this lease included',
    }),
    leaseExpiresAt: t.expose('leaseExpiresAt', {
      type: 'DateTime',
      description: 'when the gate takes the task back unless a heartbeat or progress report extends the lease',
    }),
  }),
});

const HeldLeaseRef = builder.objectRef<{ id: string; leaseExpiresAt: Date }>('HeldLease').implement({
  description: 'A lease the heartbeat extended.',
  fields: (t) => ({
    taskId: t.exposeID('id', { description: 'the task' }),
    leaseExpiresAt: t.expose('leaseExpiresAt', { type: 'DateTime', description: 'its new expiry' }),
  }),
});

const HeartbeatPayload = builder.objectRef<Awaited<ReturnType<typeof leases.heartbeat>>>('HeartbeatPayload').implement({
  description: 'What a heartbeat extended, and what the worker should stop.',
  fields: (t) => ({
    leases: t.field({
      type: [HeldLeaseRef],
      description: 'the leases this worker still holds, each with its new expiry',
      resolve: (p) => p.leases,
    }),
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
  taskId: f.id({ description: 'the leased task' }),
  leaseToken: f.string({
    description: 'the token its claim answered (Lease.leaseToken): LEASE_LOST when it is not current',
  }),
  documentsDownloaded: f.int({
    description: 'decisions downloaded in this lease so far (absolute, not since the last report)',
  }),
  documentsFailed: f.int({
    required: false,
    description: 'decisions that could not be read in this lease so far (default 0)',
  }),
  documentsSkipped: f.int({
    required: false,
    description: 'decisions left alone in this lease because the gate had them already (default 0)',
  }),
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
  description: "A leased DOWNLOAD task's end: its final counters and what the worker has to say about the run.",
  fields: (f) => ({
    ...leaseCounters(f),
    resultSummary: f.field({
      type: 'JSON',
      required: false,
      description:
        'anything worth keeping about the run, shown as Task.resultSummary: search totals, pages read, requests made, e.g. {"total": 120, "pages": 3}',
    }),
  }),
});

const CompletionResultRef = builder.objectRef<leases.CompletionResult<CountedRow>>('CompletionResult').implement({
  description: 'One item of completeTasks: the task, or why it was not completed.',
  fields: (t) => ({
    taskId: t.exposeID('taskId', { description: 'the task this item is about' }),
    task: t.field({
      type: TaskRef,
      nullable: true,
      description: 'the completed task; null when it was not completed (see errorCode)',
      resolve: (r) => (r.task ? asTask(r.task) : null),
    }),
    errorCode: t.string({
      nullable: true,
      description: 'LEASE_LOST, CONFLICT, NOT_FOUND',
      resolve: (r) => r.error?.code ?? null,
    }),
    error: t.string({
      nullable: true,
      description: 'why it was not completed, in words; null when it was',
      resolve: (r) => r.error?.message ?? null,
    }),
  }),
});

const LeaseInput = builder.inputType('LeaseInput', {
  description: 'A lease the worker holds: the task and its lease token.',
  fields: (t) => ({
    taskId: t.id({ description: 'the leased task' }),
    leaseToken: t.string({ description: 'the token its claim answered' }),
  }),
});

builder.mutationFields((t) => ({
  claimTask: t.field({
    type: LeaseRef,
    nullable: true,
    authScopes: { reader: true },
    description: 'Leases the most urgent runnable task to this worker; null when there is none.',
    args: {
      input: t.arg({
        type: builder.inputType('ClaimTaskInput', {
          description: 'The worker that claims.',
          fields: (f) => ({ clientId: f.id({ description: 'its id from registerClient (it must be ACTIVE)' }) }),
        }),
      }),
    },
    resolve: async (_root, { input }, ctx, info) =>
      (await leases.claimTasks(ctx.actor, { clientId: input.clientId }, taskColumnsFor(info)))[0] ?? null,
  }),
  claimTasks: t.field({
    type: [LeaseRef],
    authScopes: { reader: true },
    description: 'Leases up to `limit` tasks (1..500) in one statement.',
    args: {
      input: t.arg({
        type: builder.inputType('ClaimTasksInput', {
          description: 'The worker that claims, and how many tasks it can take.',
          fields: (f) => ({
            clientId: f.id({ description: 'its id from registerClient (it must be ACTIVE)' }),
            limit: f.int({ description: 'at most this many tasks (1..500); fewer when fewer are runnable' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx, info) =>
      leases.claimTasks(ctx.actor, { clientId: input.clientId, limit: input.limit }, claimColumnsFor(info)),
  }),
  heartbeat: t.field({
    type: HeartbeatPayload,
    authScopes: { reader: true },
    description:
      'Marks the worker alive and extends its leases: the tasks named in taskIds, or all it holds when taskIds is absent.',
    args: {
      input: t.arg({
        type: builder.inputType('HeartbeatInput', {
          description: 'A worker saying it is alive.',
          fields: (f) => ({
            clientId: f.id({ description: 'its id from registerClient' }),
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
          description: "A running task's counters so far, and the decisions that failed since the last report.",
          fields: (f) => ({
            ...leaseCounters(f),
            totalExpected: f.int({
              required: false,
              description:
                'documents the task will handle in all, once the search told the worker (Task.totalExpected)',
            }),
            documentId: f.string({
              required: false,
              description: "the registry id of the decision just handled, kept in the PROGRESS event's data",
            }),
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
          description: 'Several completions sent together (up to 500).',
          fields: (f) => ({
            completions: f.field({
              type: [CompleteTaskInput],
              description: 'one per task, each with its own lease token',
            }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx, info) =>
      leases.completeTasks(ctx.actor, input.completions, completionColumnsFor(info)),
  }),
  completeTask: t.field({
    type: TaskRef,
    authScopes: { reader: true },
    description: 'Idempotent: the same token and body again returns the same task and counts nothing twice.',
    args: {
      input: t.arg({ type: CompleteTaskInput }),
    },
    resolve: async (_root, { input }, ctx, info) =>
      asTask(await leases.completeTask(ctx.actor, input, taskColumnsFor(info, NO_PATH))),
  }),
  failTask: t.field({
    type: TaskRef,
    authScopes: { reader: true },
    description: 'Retried with backoff until maxAttempts (then DEAD); RATE_LIMITED and CHALLENGE use no attempt.',
    args: {
      input: t.arg({
        type: builder.inputType('FailTaskInput', {
          description: "A leased task's failed attempt.",
          fields: (f) => ({
            taskId: f.id({ description: 'the leased task' }),
            leaseToken: f.string({ description: 'the token its claim answered' }),
            errorClass: f.field({ type: ErrorClassEnum, description: 'what kind of failure (Task.lastErrorClass)' }),
            message: f.string({
              description: 'what went wrong, in words (Task.lastError), e.g. "HTTP 503 from the registry"',
            }),
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
        type: builder.inputType('ReleaseTasksInput', {
          description: 'Leases to hand back.',
          fields: (f) => ({
            leases: f.field({ type: [LeaseInput], description: 'each with its task and lease token' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) =>
      leases.releaseTasks(ctx.actor, {
        leases: input.leases,
      }),
  }),
}));
