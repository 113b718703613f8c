// Bulk actions on every task matching a filter (services/task-bulk.ts): a preview (the count) and the action.
import * as bulk from '../services/task-bulk.ts';
import { builder } from './builder.ts';
import { TaskFilter } from './task.ts';

const BulkActionEnum = builder.enumType('BulkTaskAction', {
  description:
    'RETRY: dead, failed, cancelled → pending; CANCEL: pending or leased → cancelled; SET_PRIORITY: unfinished tasks',
  values: bulk.BULK_ACTIONS,
});

const BulkResultRef = builder.objectRef<bulk.BulkResult>('BulkTaskResult').implement({
  description: 'What a bulk action found and did (or, in a preview, would do).',
  fields: (t) => ({
    action: t.field({ type: BulkActionEnum, description: 'the action asked for', resolve: (r) => r.action }),
    matched: t.exposeInt('matched', { description: 'tasks matching the filter that the action applies to' }),
    changed: t.exposeInt('changed', { description: 'tasks changed (0 in a preview)' }),
    applied: t.exposeBoolean('applied', { description: 'false: a preview, nothing changed' }),
    limit: t.exposeInt('limit', { description: 'the most tasks this request may change' }),
  }),
});

const BulkTasksInput = builder.inputType('BulkTasksInput', {
  description: 'One action on every task matching a filter, with a ceiling on how many it may change.',
  fields: (t) => ({
    action: t.field({ type: BulkActionEnum, description: 'what to do to the matching tasks' }),
    filter: t.field({ type: TaskFilter, description: 'at least one condition' }),
    priority: t.int({ required: false, description: 'SET_PRIORITY: -1000..1000' }),
    limit: t.int({
      required: false,
      description: `refuse (change nothing) when more tasks match; default and most ${bulk.MAX_BULK_TASKS}`,
    }),
  }),
});

builder.queryFields((t) => ({
  bulkTasksPreview: t.field({
    type: BulkResultRef,
    authScopes: { admin: true },
    description: 'how many tasks bulkTasks would change with this input (nothing is changed)',
    args: { input: t.arg({ type: BulkTasksInput }) },
    resolve: (_r, { input }, ctx) => bulk.previewBulkTasks(ctx.actor, input),
  }),
}));

builder.mutationFields((t) => ({
  bulkTasks: t.field({
    type: BulkResultRef,
    authScopes: { admin: true },
    description: 'retry, cancel or reprioritise every matching task, in batches on the gate; one event per change',
    args: { input: t.arg({ type: BulkTasksInput }) },
    resolve: (_r, { input }, ctx) => bulk.bulkTasks(ctx.actor, input),
  }),
}));
