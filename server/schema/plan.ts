// Plans: createPlan (operator), completePlanTask (the worker holding a PLAN task), plans/plan/coverage
// (anyone with a key), and Task.planOptions (the rules a PLAN task is decided by).
import { prisma } from '../db/database.ts';
import * as plans from '../services/plans.ts';
import { planCoverage, type Coverage, type CoverageWindow } from '../services/plan-coverage.ts';
import { builder } from './builder.ts';
import { TaskKindEnum } from './enums.ts';
import { TaskRef } from './task.ts';

const PlanOutcomeEnum = builder.enumType('PlanOutcome', {
  description: 'What a PLAN task became: two half windows, one window per value of a field, download chunks, or a gap.',
  values: ['SPLIT_WINDOW', 'SPLIT_FIELD', 'CHUNKS', 'GAP'] as const,
});

const WindowStateEnum = builder.enumType('CoverageWindowState', {
  description:
    'PLANNING: its PLAN task is not done yet; PLANNED: download chunks exist; GAP: over the cap even split by every field; FAILED: its PLAN task failed; MISSING: no task (plan again).',
  values: ['PLANNING', 'PLANNED', 'GAP', 'FAILED', 'MISSING'] as const,
});

export const PlanRef = builder.prismaObject('Plan', {
  description: 'A whole search planned into tasks over an adopted-on date range.',
  fields: (t) => ({
    id: t.exposeID('id'),
    searchParams: t.expose('searchParams', {
      type: 'JSON',
      description: 'registry form fields, without the date window',
    }),
    from: t.exposeString('dateFrom', { description: 'first adopted-on date, YYYY-MM-DD' }),
    to: t.exposeString('dateTo', { description: 'last adopted-on date, YYYY-MM-DD' }),
    window: t.exposeString('window', { nullable: true, description: 'day, week, month, year; null: the whole range' }),
    chunkSize: t.int({ resolve: (p) => plans.requirePlanOptions(p.options).chunkSize }),
    pageBudget: t.int({ nullable: true, resolve: (p) => plans.requirePlanOptions(p.options).pageBudget }),
    splitFields: t.stringList({ resolve: (p) => plans.requirePlanOptions(p.options).splitFields }),
    priority: t.exposeInt('priority'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectFields('Task', (t) => ({
  planOptions: t.field({
    type: 'JSON',
    nullable: true,
    description: 'PLAN tasks: chunkSize, pageBudget, splitFields',
    // Rows from raw statements (claim) do not carry the column: read it then.
    resolve: async (task) =>
      'planOptions' in task && task.planOptions !== undefined
        ? task.planOptions
        : ((await prisma.task.findUnique({ where: { id: task.id }, select: { planOptions: true } }))?.planOptions ??
          null),
  }),
}));

const CreatedPlanRef = builder.objectRef<plans.CreatedPlan>('CreatedPlan').implement({
  fields: (t) => ({
    plan: t.field({ type: PlanRef, resolve: (c) => c.plan }),
    created: t.exposeBoolean('created', {
      description: 'false: the same request was planned before; this is that plan',
    }),
    windows: t.exposeInt('windows', { description: 'root windows (PLAN tasks) of the plan' }),
    tasks: t.field({ type: [TaskRef], description: 'PLAN tasks created now', resolve: (c) => c.tasks }),
  }),
});

const PlanTaskCompletionRef = builder.objectRef<plans.PlanTaskCompletion>('PlanTaskCompletion').implement({
  fields: (t) => ({
    task: t.field({ type: TaskRef, resolve: (c) => c.task }),
    outcome: t.field({ type: PlanOutcomeEnum, resolve: (c) => c.outcome }),
    created: t.exposeInt('created', { description: 'children created now' }),
    existing: t.exposeInt('existing', {
      description: 'children planned before (same window and pages): not created again',
    }),
  }),
});

const CoverageWindowRef = builder.objectRef<CoverageWindow>('CoverageWindow').implement({
  description: 'A leaf window of a plan: planned into download chunks, a gap, or still being planned.',
  fields: (t) => ({
    from: t.exposeString('from'),
    to: t.exposeString('to'),
    narrowedBy: t.expose('narrowedBy', {
      type: 'JSON',
      description: 'split-field values beyond the plan params, e.g. {"VRType":["5"]}',
    }),
    planTaskId: t.exposeID('planTaskId', { nullable: true }),
    state: t.field({ type: WindowStateEnum, resolve: (w) => w.state }),
    expected: t.exposeInt('expected', { nullable: true, description: "the registry's total for the window" }),
    planned: t.exposeInt('planned', { description: 'documents its download tasks cover' }),
    downloaded: t.exposeInt('downloaded', {
      description: 'documents its download tasks stored (over all their attempts), counted in the document store',
    }),
    skipped: t.exposeInt('skipped', {
      description: 'documents its download tasks skipped because another task had already stored them',
    }),
    missing: t.exposeInt('missing', { description: 'planned documents neither downloaded nor skipped (yet)' }),
    chunks: t.exposeInt('chunks'),
    chunksMissing: t.exposeInt('chunksMissing'),
    tasksPending: t.exposeInt('tasksPending'),
    tasksRunning: t.exposeInt('tasksRunning'),
    tasksCompleted: t.exposeInt('tasksCompleted'),
    tasksFailed: t.exposeInt('tasksFailed', { description: 'failed or dead' }),
    tasksCancelled: t.exposeInt('tasksCancelled'),
    complete: t.exposeBoolean('complete'),
  }),
});

const CoverageRef = builder.objectRef<Coverage>('Coverage').implement({
  fields: (t) => ({
    plan: t.field({ type: PlanRef, resolve: (c) => c.plan }),
    windows: t.field({ type: [CoverageWindowRef], resolve: (c) => c.windows }),
    expected: t.exposeInt('expected'),
    planned: t.exposeInt('planned'),
    downloaded: t.exposeInt('downloaded', { description: "documents stored by the plan's download tasks" }),
    skipped: t.exposeInt('skipped', { description: 'documents skipped because another task had already stored them' }),
    missing: t.exposeInt('missing', { description: 'planned documents neither downloaded nor skipped (yet)' }),
    gaps: t.exposeInt('gaps'),
    windowsPlanning: t.exposeInt('windowsPlanning', {
      description: 'windows not planned yet (or whose PLAN task failed)',
    }),
    tasksPending: t.exposeInt('tasksPending'),
    tasksRunning: t.exposeInt('tasksRunning'),
    tasksCompleted: t.exposeInt('tasksCompleted'),
    tasksFailed: t.exposeInt('tasksFailed'),
    complete: t.exposeBoolean('complete', { description: 'every window planned, no gap, every chunk downloaded' }),
  }),
});

builder.queryFields((t) => ({
  plans: t.field({
    type: [PlanRef],
    description: 'Plans, newest first.',
    args: { first: t.arg.int({ required: false }) },
    resolve: (_root, args, ctx) => plans.listPlans(ctx.actor, args.first ?? 100),
  }),
  plan: t.field({
    type: PlanRef,
    args: { id: t.arg.id() },
    resolve: (_root, args, ctx) => plans.getPlan(ctx.actor, args.id),
  }),
  coverage: t.field({
    type: CoverageRef,
    description:
      "Per leaf window of a plan: the registry's expected count, documents planned and downloaded, task states, gaps.",
    args: { planId: t.arg.id() },
    resolve: (_root, args, ctx) => planCoverage(ctx.actor, args.planId),
  }),
}));

const PlanChildInput = builder.inputType('PlanChildInput', {
  fields: (t) => ({
    kind: t.field({ type: TaskKindEnum }),
    searchParams: t.field({ type: 'JSON' }),
    startPage: t.int(),
    maxDocuments: t.int(),
  }),
});

builder.mutationFields((t) => ({
  createPlan: t.field({
    type: CreatedPlanRef,
    authScopes: { admin: true },
    description:
      'Plans a whole search: one PLAN task per window; workers split them into download tasks. The same request again returns the same plan.',
    args: {
      input: t.arg({
        type: builder.inputType('CreatePlanInput', {
          fields: (f) => ({
            searchParams: f.field({
              type: 'JSON',
              description: 'registry form fields, without RegDateBegin/RegDateEnd/Sort',
            }),
            from: f.string({ description: 'first adopted-on date, DD.MM.YYYY or YYYY-MM-DD' }),
            to: f.string({ description: 'last adopted-on date, inclusive' }),
            window: f.string({
              required: false,
              description: 'day, week, month or year; default: one window for the whole range',
            }),
            chunkSize: f.int({
              required: false,
              description: 'documents per download task, a multiple of the rows per page (default 100)',
            }),
            pageBudget: f.int({
              required: false,
              description: 'split windows with more result pages than this (default: only over the 100,000 cap)',
            }),
            splitFields: f.stringList({
              required: false,
              description: 'fields a day over the limit is split by (default VRType, CSType)',
            }),
            priority: f.int({ required: false }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) => plans.createPlan(ctx.actor, input),
  }),
  completePlanTask: t.field({
    type: PlanTaskCompletionRef,
    authScopes: { reader: true },
    description:
      "Completes a leased PLAN task with its window's total and children (checked against the plan rules); children and completion commit together.",
    args: {
      input: t.arg({
        type: builder.inputType('CompletePlanTaskInput', {
          fields: (f) => ({
            taskId: f.id(),
            leaseToken: f.string(),
            total: f.int({ description: "the window's total as the registry showed it" }),
            outcome: f.field({ type: PlanOutcomeEnum }),
            children: f.field({ type: [PlanChildInput] }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) => plans.completePlanTask(ctx.actor, input),
  }),
}));
