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
    id: t.exposeID('id', { description: "the plan's id (a UUID); tasks name it as planId" }),
    searchParams: t.expose('searchParams', {
      type: 'JSON',
      description: 'registry form fields, without the date window',
    }),
    from: t.exposeString('dateFrom', { description: 'first adopted-on date, YYYY-MM-DD' }),
    to: t.exposeString('dateTo', { description: 'last adopted-on date, YYYY-MM-DD' }),
    window: t.exposeString('window', { nullable: true, description: 'day, week, month, year; null: the whole range' }),
    chunkSize: t.int({
      description: 'documents per download task, e.g. 100',
      resolve: (p) => plans.requirePlanOptions(p.options).chunkSize,
    }),
    pageBudget: t.int({
      nullable: true,
      description:
        "windows with more result pages than this are split further; null: only those over the registry's 100,000 cap",
      resolve: (p) => plans.requirePlanOptions(p.options).pageBudget,
    }),
    splitFields: t.stringList({
      description: 'the form fields a single day over the limit is split by, in order, e.g. ["VRType", "CSType"]',
      resolve: (p) => plans.requirePlanOptions(p.options).splitFields,
    }),
    priority: t.exposeInt('priority', { description: 'the priority of its tasks (higher runs first)' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it was created' }),
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
  description: 'What createPlan made (or found: the same request planned before).',
  fields: (t) => ({
    plan: t.field({ type: PlanRef, description: 'the plan', resolve: (c) => c.plan }),
    created: t.exposeBoolean('created', {
      description: 'false: the same request was planned before; this is that plan',
    }),
    windows: t.exposeInt('windows', { description: 'root windows (PLAN tasks) of the plan' }),
    tasks: t.field({ type: [TaskRef], description: 'PLAN tasks created now', resolve: (c) => c.tasks }),
  }),
});

const PlanTaskCompletionRef = builder.objectRef<plans.PlanTaskCompletion>('PlanTaskCompletion').implement({
  description: 'A completed PLAN task and the children it made.',
  fields: (t) => ({
    task: t.field({ type: TaskRef, description: 'the PLAN task, now COMPLETED', resolve: (c) => c.task }),
    outcome: t.field({ type: PlanOutcomeEnum, description: 'what the window became', resolve: (c) => c.outcome }),
    created: t.exposeInt('created', { description: 'children created now' }),
    existing: t.exposeInt('existing', {
      description: 'children planned before (same window and pages): not created again',
    }),
  }),
});

const CoverageWindowRef = builder.objectRef<CoverageWindow>('CoverageWindow').implement({
  description: 'A leaf window of a plan: planned into download chunks, a gap, or still being planned.',
  fields: (t) => ({
    from: t.exposeString('from', { description: 'first adopted-on day of the window, YYYY-MM-DD' }),
    to: t.exposeString('to', { description: 'last adopted-on day of the window (included), YYYY-MM-DD' }),
    narrowedBy: t.expose('narrowedBy', {
      type: 'JSON',
      description: 'split-field values beyond the plan params, e.g. {"VRType":["5"]}',
    }),
    planTaskId: t.exposeID('planTaskId', {
      nullable: true,
      description: 'the PLAN task that planned (or is planning) this window; null when none is known',
    }),
    state: t.field({ type: WindowStateEnum, description: 'where its planning stands', resolve: (w) => w.state }),
    expected: t.exposeInt('expected', { nullable: true, description: "the registry's total for the window" }),
    planned: t.exposeInt('planned', { description: 'documents its download tasks cover' }),
    downloaded: t.exposeInt('downloaded', {
      description: 'documents its download tasks stored (over all their attempts), counted in the document store',
    }),
    skipped: t.exposeInt('skipped', {
      description: 'documents its download tasks skipped because another task had already stored them',
    }),
    missing: t.exposeInt('missing', { description: 'planned documents neither downloaded nor skipped (yet)' }),
    chunks: t.exposeInt('chunks', { description: 'download tasks planned for it' }),
    chunksMissing: t.exposeInt('chunksMissing', { description: 'of those, the ones not completed yet' }),
    tasksPending: t.exposeInt('tasksPending', { description: 'its download tasks waiting for a worker' }),
    tasksRunning: t.exposeInt('tasksRunning', { description: 'its download tasks leased now' }),
    tasksCompleted: t.exposeInt('tasksCompleted', { description: 'its download tasks completed' }),
    tasksFailed: t.exposeInt('tasksFailed', { description: 'its download tasks failed or dead' }),
    tasksCancelled: t.exposeInt('tasksCancelled', { description: 'its download tasks cancelled' }),
    complete: t.exposeBoolean('complete', { description: 'planned, not a gap, and every chunk downloaded' }),
  }),
});

const CoverageRef = builder.objectRef<Coverage>('Coverage').implement({
  description: 'How far a plan got: per leaf window and in total.',
  fields: (t) => ({
    plan: t.field({ type: PlanRef, description: 'the plan', resolve: (c) => c.plan }),
    windows: t.field({
      type: [CoverageWindowRef],
      description: 'its leaf windows (those not split further)',
      resolve: (c) => c.windows,
    }),
    expected: t.exposeInt('expected', { description: "the registry's totals over the planned windows" }),
    planned: t.exposeInt('planned', { description: "documents the plan's download tasks cover" }),
    downloaded: t.exposeInt('downloaded', { description: "documents stored by the plan's download tasks" }),
    skipped: t.exposeInt('skipped', { description: 'documents skipped because another task had already stored them' }),
    missing: t.exposeInt('missing', { description: 'planned documents neither downloaded nor skipped (yet)' }),
    gaps: t.exposeInt('gaps', {
      description:
        "windows over the registry's cap even when split by every field: their documents past the cap are not planned",
    }),
    windowsPlanning: t.exposeInt('windowsPlanning', {
      description: 'windows not planned yet (or whose PLAN task failed)',
    }),
    tasksPending: t.exposeInt('tasksPending', { description: "the plan's download tasks waiting for a worker" }),
    tasksRunning: t.exposeInt('tasksRunning', { description: "the plan's download tasks leased now" }),
    tasksCompleted: t.exposeInt('tasksCompleted', { description: "the plan's download tasks completed" }),
    tasksFailed: t.exposeInt('tasksFailed', { description: "the plan's download tasks failed or dead" }),
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
    description: 'One plan by its id (NOT_FOUND when there is none).',
    args: { id: t.arg.id({ description: 'the plan id' }) },
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
  description: 'A task a PLAN task planned: a smaller window (PLAN) or a download chunk (DOWNLOAD).',
  fields: (t) => ({
    kind: t.field({ type: TaskKindEnum, description: 'PLAN for a smaller window, DOWNLOAD for a chunk' }),
    searchParams: t.field({ type: 'JSON', description: 'its registry form fields, dates included' }),
    startPage: t.int({ description: 'the first results page it reads (1-based)' }),
    maxDocuments: t.int({ description: 'how many results rows it takes from there (the chunk size)' }),
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
          description: 'A whole search to plan: its form fields, the adopted-on range, and how to cut it.',
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
            priority: f.int({
              required: false,
              description: '-1000..1000 for all its tasks; higher runs first (default 0)',
            }),
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
          description: "A leased PLAN task's result: its window's total and the tasks it planned.",
          fields: (f) => ({
            taskId: f.id({ description: 'the leased PLAN task' }),
            leaseToken: f.string({ description: 'the token its claim answered' }),
            total: f.int({ description: "the window's total as the registry showed it" }),
            outcome: f.field({ type: PlanOutcomeEnum, description: 'how the window was planned' }),
            children: f.field({ type: [PlanChildInput], description: 'the tasks planned (none for a gap)' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, ctx) => plans.completePlanTask(ctx.actor, input),
  }),
}));
