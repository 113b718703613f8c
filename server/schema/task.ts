// Task: the object, operator queries and mutations (create, cancel, retry, priority).
import { prisma } from '../db/database.ts';
import * as tasks from '../services/tasks.ts';
import { parseId } from '../services/ids.ts';
import { DEFAULT_DOCUMENTS_PER_TASK, MAX_DOCUMENTS_PER_TASK } from '../services/task-input.ts';
import { builder } from './builder.ts';
import { checkIdCursors } from './cursors.ts';
import { ErrorClassEnum, TaskKindEnum, TaskStatusEnum } from './enums.ts';

export const TaskRef = builder.prismaObject('Task', {
  description: 'A download (or planning) job: a registry search, where to start, how many documents.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "the gate's id (UUID); the CLI accepts its first characters" }),
    kind: t.expose('kind', {
      type: TaskKindEnum,
      description: 'DOWNLOAD (fetch decisions) or PLAN (cut a window into downloads)',
    }),
    searchParams: t.expose('searchParams', {
      type: 'JSON',
      description: 'registry form fields, e.g. {"CourtRegion":["11"]}',
    }),
    startPage: t.exposeInt('startPage', { description: 'first results page of the search to read (1-based)' }),
    maxDocuments: t.exposeInt('maxDocuments', { description: 'at most this many results rows from startPage on' }),
    priority: t.exposeInt('priority', { description: 'higher runs first' }),
    runAt: t.expose('runAt', { type: 'DateTime', description: 'not claimable before this time (retry backoff)' }),
    status: t.expose('status', {
      type: TaskStatusEnum,
      description: 'where the task is in its life (README: How a task lives)',
    }),
    attempts: t.exposeInt('attempts', { description: 'failed attempts so far (failures the worker reported)' }),
    stalls: t.exposeInt('stalls', {
      description:
        'lease expiries so far (the worker was killed or cut off): counted apart from attempts, DEAD after MAX_STALLS',
    }),
    maxAttempts: t.exposeInt('maxAttempts', { description: 'failed attempts before the task is DEAD' }),
    leaseHolder: t.prismaField({
      type: 'Client',
      nullable: true,
      description: 'the worker holding (or that last held) the lease',
      // by id, not as a Prisma relation: lease_holder_id has no foreign key (prisma/schema.prisma, Task). Prisma
      // batches the findUnique calls of one tick into one query: a list of tasks costs one, as the relation did.
      resolve: (query, task) =>
        task.leaseHolderId ? prisma.client.findUnique({ ...query, where: { id: task.leaseHolderId } }) : null,
    }),
    leaseEpoch: t.exposeInt('leaseEpoch', { description: 'how many times the task was leased' }),
    leaseExpiresAt: t.expose('leaseExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'when the current lease runs out unless extended (null: not leased)',
    }),
    documentsDownloaded: t.exposeInt('documentsDownloaded', { description: 'decisions fetched by this task' }),
    documentsFailed: t.exposeInt('documentsFailed', { description: 'decisions that could not be read' }),
    documentsSkipped: t.exposeInt('documentsSkipped', {
      description: 'decisions the gate (or the outbox) had already',
    }),
    totalExpected: t.exposeInt('totalExpected', { nullable: true, description: 'documents the worker expects in all' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'the message of the last failure' }),
    lastErrorClass: t.expose('lastErrorClass', {
      type: ErrorClassEnum,
      nullable: true,
      description: 'the class of the last failure',
    }),
    resultSummary: t.expose('resultSummary', {
      type: 'JSON',
      nullable: true,
      description: 'what the worker reported on completion (search totals, pages, requests, failed documents)',
    }),
    parent: t.relation('parent', { nullable: true, description: 'the PLAN task this one was planned by' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it was created' }),
    claimedAt: t.expose('claimedAt', { type: 'DateTime', nullable: true, description: 'when it was last claimed' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'its first progress report' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true, description: 'when it ended' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'its last change' }),
    events: t.prismaField({
      type: ['TaskEvent'],
      description: 'its latest events, newest first',
      args: { last: t.arg.int({ defaultValue: 100 }) },
      // by task id, not as a Prisma relation: the log has no foreign keys (prisma/schema.prisma, TaskEvent)
      resolve: (query, task, args) =>
        prisma.taskEvent.findMany({
          ...query,
          where: { taskId: task.id },
          orderBy: { seq: 'desc' },
          take: Math.min(Math.max(args.last ?? 100, 1), 1000),
        }),
    }),
    documents: t.relatedConnection(
      'documents',
      {
        description: 'the decisions it downloaded',
        cursor: 'id',
        totalCount: true,
        query: (args) => {
          checkIdCursors(args);
          return {};
        },
      },
      { description: 'A page of the decisions one task downloaded.' },
      { description: 'One decision of the page, with its cursor.' },
    ),
  }),
});

export const TaskFilter = builder.inputType('TaskFilter', {
  description: 'Which tasks to list; every field given must match (none: all tasks).',
  fields: (t) => ({
    status: t.field({ type: [TaskStatusEnum], required: false, description: 'tasks in one of these statuses' }),
    clientId: t.id({ required: false, description: 'tasks leased (now or last) to this worker' }),
    priorityMin: t.int({ required: false, description: 'tasks of this priority or higher' }),
    priorityMax: t.int({ required: false, description: 'tasks of this priority or lower' }),
    createdAfter: t.field({ type: 'DateTime', required: false, description: 'tasks created at or after this time' }),
    createdBefore: t.field({ type: 'DateTime', required: false, description: 'tasks created before this time' }),
    searchParams: t.field({ type: 'JSON', required: false, description: 'tasks whose search params include these' }),
    kind: t.field({ type: TaskKindEnum, required: false, description: 'only DOWNLOAD or only PLAN tasks' }),
    parentId: t.id({ required: false, description: 'tasks planned by this PLAN task (its direct children)' }),
    errorClass: t.field({ type: [ErrorClassEnum], required: false, description: "the class of the task's last error" }),
    planId: t.id({ required: false, description: 'tasks of this plan (its windows and all planned from them)' }),
    followId: t.id({ required: false, description: "tasks of this follow's runs" }),
  }),
});

builder.queryFields((t) => ({
  tasks: t.prismaConnection(
    {
      type: 'Task',
      description: 'Tasks, newest first, a page at a time (first: up to 500, default 50; after: a cursor).',
      cursor: 'id',
      args: { filter: t.arg({ type: TaskFilter, required: false, description: 'which tasks (none: all)' }) },
      totalCount: (_parent, args) => prisma.task.count({ where: tasks.taskWhere(args.filter) }),
      resolve: (query, _parent, args) => {
        checkIdCursors(args);
        return prisma.task.findMany({
          ...query,
          where: tasks.taskWhere(args.filter),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        });
      },
    },
    { description: 'A page of tasks, and how many match in all.' },
    { description: 'One task of the page, with its cursor.' },
  ),
  task: t.prismaField({
    type: 'Task',
    nullable: true,
    description: 'One task by its id (the full UUID); null when there is none.',
    args: { id: t.arg.id({ description: 'the task id' }) },
    resolve: (query, _parent, args) => prisma.task.findUnique({ ...query, where: { id: parseId(args.id) } }),
  }),
}));

export const NewTaskInput = builder.inputType('NewTaskInput', {
  description: 'A DOWNLOAD task to create: a registry search and how much of it to fetch.',
  fields: (t) => ({
    searchParams: t.field({ type: 'JSON', description: 'registry form fields: CourtRegion, INSType, RegDateBegin, …' }),
    startPage: t.int({ required: false, description: 'default 1' }),
    maxDocuments: t.int({
      required: false,
      description: `1..${MAX_DOCUMENTS_PER_TASK}, default ${DEFAULT_DOCUMENTS_PER_TASK}`,
    }),
    priority: t.int({ required: false, description: '-1000..1000, default 0; higher runs first' }),
    runAt: t.field({ type: 'DateTime', required: false, description: 'not before this time' }),
    maxAttempts: t.int({
      required: false,
      description: "failed attempts (1..100) before the task is DEAD; default: the gate's setting (MAX_ATTEMPTS)",
    }),
  }),
});

const TaskIdInput = builder.inputType('TaskIdInput', {
  description: 'One task.',
  fields: (t) => ({ id: t.id({ description: 'the task id' }) }),
});

builder.mutationFields((t) => ({
  createTask: t.field({
    type: TaskRef,
    description: 'Creates one PENDING download task; workers are nudged at once. Admin keys only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: NewTaskInput }) },
    resolve: (_root, { input }, ctx) => tasks.createTask(ctx.actor, input),
  }),
  createTasks: t.field({
    type: [TaskRef],
    description: 'Creates several download tasks in one request, answered in the order given. Admin keys only.',
    authScopes: { admin: true },
    args: {
      input: t.arg({
        type: builder.inputType('CreateTasksInput', {
          description: 'Tasks to create together.',
          fields: (f) => ({
            tasks: f.field({ type: [NewTaskInput], description: 'the tasks, in the order to answer them' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) => tasks.createTasks(ctx.actor, input.tasks),
  }),
  cancelTask: t.field({
    type: TaskRef,
    description:
      'Cancels a pending or running task: it is CANCELLED at once, and a worker holding it loses its lease (its next report gets LEASE_LOST); CONFLICT for a task that already ended. Admin keys only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: TaskIdInput }) },
    resolve: async (_root, { input }, ctx) => (await tasks.cancelTasks(ctx.actor, [input.id]))[0],
  }),
  retryTask: t.field({
    type: TaskRef,
    description:
      'Makes a FAILED, DEAD or CANCELLED task PENDING again with fresh attempts; CONFLICT for a task in another status. Admin keys only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: TaskIdInput }) },
    resolve: async (_root, { input }, ctx) => (await tasks.retryTasks(ctx.actor, [input.id]))[0],
  }),
  setTaskPriority: t.field({
    type: TaskRef,
    description: 'Changes the priority of a task (higher is claimed first among the runnable ones). Admin keys only.',
    authScopes: { admin: true },
    args: {
      input: t.arg({
        type: builder.inputType('SetTaskPriorityInput', {
          description: 'A task and its new priority.',
          fields: (f) => ({
            id: f.id({ description: 'the task id' }),
            priority: f.int({ description: '-1000..1000; higher runs first' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) => tasks.setTaskPriority(ctx.actor, input.id, input.priority),
  }),
}));
