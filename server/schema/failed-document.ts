// Failed documents (services/failed-documents.ts): the list with reasons, retrying them, and Task.workerLog.
import { prisma } from '../db/database.ts';
import * as failed from '../services/failed-documents.ts';
import { builder } from './builder.ts';
import { ErrorClassEnum } from './enums.ts';

builder.prismaObject('FailedDocument', {
  description: 'A decision a worker could not download, with the reason; it leaves the list once stored.',
  fields: (t) => ({
    documentId: t.exposeString('documentId', { description: "the registry's id" }),
    errorClass: t.expose('errorClass', { type: ErrorClassEnum, description: 'what kind of failure' }),
    message: t.exposeString('message', { description: 'the reason, as the worker saw it' }),
    failures: t.exposeInt('failures', { description: 'failures recorded for it' }),
    attempt: t.exposeInt('attempt', { description: "the task's failed attempts when it failed" }),
    courtName: t.exposeString('courtName', { nullable: true, description: 'from its results row' }),
    adoptedOn: t.exposeString('adoptedOn', { nullable: true, description: 'from its results row, YYYY-MM-DD' }),
    firstFailedAt: t.expose('firstFailedAt', { type: 'DateTime', description: 'its first recorded failure' }),
    lastFailedAt: t.expose('lastFailedAt', { type: 'DateTime', description: 'its latest failure' }),
    task: t.relation('task', { nullable: true, description: 'the task that failed it last' }),
    worker: t.relation('client', { nullable: true, description: 'the worker that failed it last' }),
    retryTaskId: t.exposeID('retryTaskId', { nullable: true, description: 'the task retrying it, if any' }),
  }),
});

const FailedDocumentFilter = builder.inputType('FailedDocumentFilter', {
  description: 'Which failed documents: every condition given must hold.',
  fields: (t) => ({
    errorClass: t.field({ type: [ErrorClassEnum], required: false, description: 'any of these classes' }),
    court: t.string({ required: false, description: 'court name contains (case-insensitive)' }),
    failedAfter: t.field({ type: 'DateTime', required: false, description: 'last failure at or after' }),
    failedBefore: t.field({ type: 'DateTime', required: false, description: 'last failure before' }),
    taskId: t.id({ required: false, description: 'failed last by this task' }),
    clientId: t.id({ required: false, description: 'failed last by this worker' }),
    documentIds: t.stringList({ required: false, description: 'these registry ids (at most 10,000)' }),
  }),
});

builder.queryFields((t) => ({
  failedDocuments: t.prismaConnection(
    {
      type: 'FailedDocument',
      cursor: 'documentId',
      description: 'decisions that failed and were not stored since, the latest failure first',
      args: { filter: t.arg({ type: FailedDocumentFilter, required: false }) },
      totalCount: (_p, args) => prisma.failedDocument.count({ where: failed.failedDocumentWhere(args.filter) }),
      resolve: (query, _p, args) =>
        prisma.failedDocument.findMany({
          ...query,
          where: failed.failedDocumentWhere(args.filter),
          orderBy: [{ lastFailedAt: 'desc' }, { documentId: 'desc' }],
        }),
    },
    {
      description: 'A page of failed documents.',
      edgesField: { description: 'the failed documents of this page, each with its cursor' },
    },
    {
      description: 'One failed document and its cursor.',
      nodeField: { description: 'the failed document' },
    },
  ),
}));

const RetriedRef = builder.objectRef<failed.RetriedDocuments>('RetriedFailedDocuments').implement({
  description: 'What retryFailedDocuments did.',
  fields: (t) => ({
    matched: t.exposeInt('matched', { description: 'failed documents the filter matched' }),
    tasksCreated: t.exposeInt('tasksCreated', {
      description: 'one DOWNLOAD task per decision; none when its retry for this failure exists',
    }),
  }),
});

builder.mutationFields((t) => ({
  retryFailedDocuments: t.field({
    type: RetriedRef,
    authScopes: { admin: true },
    description: `each matching failed decision becomes a small DOWNLOAD task (RegNumber search); at most ${failed.MAX_RETRY_DOCUMENTS}`,
    args: { filter: t.arg({ type: FailedDocumentFilter }) },
    resolve: (_r, args, ctx) => failed.retryFailedDocuments(ctx.actor, args.filter),
  }),
}));

builder.prismaObjectFields('Task', (t) => ({
  workerLog: t.stringList({
    description: 'the last lines its worker logged during the current (or last) lease, oldest first',
    resolve: async (task) => {
      const log = await prisma.taskLog.findUnique({ where: { taskId: task.id }, select: { lines: true } });
      return Array.isArray(log?.lines) ? (log.lines as string[]) : [];
    },
  }),
}));
