// Plans: a whole registry search turned into tasks without gaps or overlaps. The rules (windows, halves,
// field splits, chunks, dedup keys) are the pure functions of client/rules/plan-window.ts; here they are
// validated, stored and read back:
//   createPlan        the plan row and one PLAN task per window (idempotent: the same request is the same plan)
//   completePlanTask  a worker's decision for a window: the children and the parent's completion commit
//                     together, fenced by the parent's lease token like completeTask
//   planCoverage      (plan-coverage.ts) per window: the expected count, what was planned and downloaded
import { z } from 'zod';
import {
  InvalidPlanError,
  childOptionsOf,
  decideWindow,
  normalisePlanRequest,
  planOptionsOf,
  rootTasks,
  planKey,
  type PlanOptions,
  type PlanOutcome,
  type PlanRequest,
  type PlanRequestInput,
  type PlannedTask,
  type WindowDecision,
  InvalidSearchParamsError,
  validateSearchParams,
  type SearchParams,
} from '../../client/rules/index.ts';
import { prisma } from '../db/database.ts';
import { insertTasks } from '../db/sql/insert-tasks.ts';
import { lockLeasedTask } from '../db/sql/lock-leased-task.ts';
import { completePlanTask as completePlanTaskSql, insertPlan, setPlanOptions } from '../db/sql/plan-tasks.ts';
import type { TaskRow } from '../db/sql/task-row.ts';
import type { Plan } from '../generated/prisma/client.ts';
import { requireActor, requireAdmin, type Actor } from './actor.ts';
import { GateError, badInput, notFound, orDefault, parseInput } from './errors.ts';
import { leaseLost } from './lease-lost.ts';
import { completionHashOf } from './completion-input.ts';
import { policy } from './policy.ts';
import { idSchema, parseId } from './ids.ts';
import { MAX_TASKS_PER_REQUEST } from './task-input.ts';

export type { Plan };

/** Plan rule errors and bad search params → BAD_USER_INPUT naming the field. */
function planInput<T>(work: () => T, paramsPath = 'searchParams'): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof InvalidPlanError)
      throw badInput(error.message, [{ path: error.field.split('.'), message: error.message }]);
    if (error instanceof InvalidSearchParamsError) {
      throw badInput(
        `${paramsPath}: ${error.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
        error.issues.map((i) => ({ path: [...paramsPath.split('.'), i.field], message: i.message })),
      );
    }
    throw error;
  }
}

const createPlanInput = z.object({
  searchParams: z.unknown().optional(),
  from: z.string().min(1).max(20),
  to: z.string().min(1).max(20),
  window: z.string().nullish(),
  chunkSize: z.number().int().nullish(),
  pageBudget: z.number().int().nullish(),
  splitFields: z.array(z.string().max(40)).max(10).nullish(),
  priority: orDefault(z.number().int().min(-1000).max(1000), 0),
});

export interface CreatedPlan {
  plan: Plan;
  /** false: the same request was planned before; this is that plan */
  created: boolean;
  /** PLAN tasks created now (none when the windows existed already) */
  tasks: TaskRow[];
  windows: number;
}

export const planRequestOf = (input: PlanRequestInput): PlanRequest => planInput(() => normalisePlanRequest(input));

export async function createPlan(actor: Actor | null, input: z.input<typeof createPlanInput>): Promise<CreatedPlan> {
  requireAdmin(actor);
  const parsed = parseInput(createPlanInput, input);
  const request = planRequestOf(parsed);
  const roots = rootTasks(request);
  if (roots.length > MAX_TASKS_PER_REQUEST) {
    throw badInput(`window: ${roots.length} windows; at most ${MAX_TASKS_PER_REQUEST} per plan (use a longer window)`);
  }
  const dedupKey = planKey(request);
  return prisma.$transaction(async (tx) => {
    const newId = await insertPlan(
      {
        searchParams: request.searchParams,
        dateFrom: request.from,
        dateTo: request.to,
        window: request.window,
        options: request.options,
        priority: parsed.priority,
        dedupKey,
      },
      tx,
    );
    const plan = await tx.plan.findUniqueOrThrow({ where: { dedupKey } });
    const tasks = await insertChildren(
      roots,
      { priority: plan.priority, maxAttempts: policy.maxAttempts, parentId: null, planId: plan.id, followId: null },
      request.options,
      tx,
    );
    return { plan, created: newId !== null, tasks, windows: roots.length };
  });
}

export type Tx = Parameters<Parameters<typeof prisma.$transaction>[0]>[0];

/** Inserts planned tasks (existing dedup keys are skipped) and gives the new PLAN tasks their rules. */
export async function insertChildren(
  children: PlannedTask[],
  from: {
    priority: number;
    maxAttempts: number;
    parentId: string | null;
    planId: string | null;
    followId: string | null;
  },
  options: PlanOptions,
  tx: Tx,
): Promise<TaskRow[]> {
  if (children.length === 0) return [];
  const created = await insertTasks(
    children.map((c) => ({
      kind: c.kind,
      searchParams: c.searchParams,
      startPage: c.startPage,
      maxDocuments: c.maxDocuments,
      priority: from.priority,
      runAt: null,
      maxAttempts: from.maxAttempts,
      dedupKey: c.dedupKey,
      parentId: from.parentId,
      planId: from.planId,
      followId: from.followId,
    })),
    tx,
  );
  const plans = created.filter((t) => t.kind === 'PLAN');
  if (plans.length)
    await setPlanOptions(
      plans.map((t) => t.id),
      options,
      tx,
    );
  return created.map((t) => (t.kind === 'PLAN' ? { ...t, planOptions: options } : t)) as TaskRow[];
}

export async function getPlan(actor: Actor | null, id: string): Promise<Plan> {
  requireActor(actor);
  const planId = parseId(id, 'planId');
  const plan = await prisma.plan.findUnique({ where: { id: planId } });
  if (!plan) throw notFound('plan', planId);
  return plan;
}

export async function listPlans(actor: Actor | null, limit = 100): Promise<Plan[]> {
  requireActor(actor);
  return prisma.plan.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: parseInput(z.number().int().min(1).max(1000), limit),
  });
}

// ---- completing a PLAN task ------------------------------------------------------------------------

const OUTCOMES = ['SPLIT_WINDOW', 'SPLIT_FIELD', 'CHUNKS', 'GAP'] as const;

const planCompletionInput = z.object({
  taskId: idSchema,
  leaseToken: idSchema,
  /** the window's total as the registry showed it */
  total: z.number().int().min(0).max(1_000_000_000),
  outcome: z.enum(OUTCOMES),
  children: z
    .array(
      z.object({
        kind: z.enum(['PLAN', 'DOWNLOAD']),
        searchParams: z.unknown().optional(),
        startPage: z.number().int(),
        maxDocuments: z.number().int(),
      }),
    )
    .max(MAX_TASKS_PER_REQUEST),
});
export type PlanCompletionInput = z.input<typeof planCompletionInput>;

export interface PlanTaskCompletion {
  task: TaskRow;
  outcome: PlanOutcome;
  /** children created by this completion */
  created: number;
  /** children that existed already (same window and pages planned before) */
  existing: number;
}

/** A PLAN task's (or plan's) stored options; a task without them is not a plan task. */
export function requirePlanOptions(value: unknown): PlanOptions {
  const options = planOptionsOf(value);
  if (!options) throw badInput('taskId: this task has no plan rules (not a plan task?)');
  return options;
}

const childShape = (c: { kind: string; searchParams?: unknown; startPage: number; maxDocuments: number }) =>
  JSON.stringify([c.kind, c.searchParams, c.startPage, c.maxDocuments]);

/** The worker's children must be exactly what the rules give for this window and total. */
function checkReported(reported: z.output<typeof planCompletionInput>, decision: WindowDecision): void {
  if (reported.outcome !== decision.outcome) {
    throw badInput(
      `outcome: ${reported.outcome} reported, but a total of ${reported.total} (limit ${decision.limit}) means ${decision.outcome}`,
    );
  }
  const expected = decision.children.map(childShape);
  const got = reported.children.map((c, index) =>
    childShape({
      ...c,
      searchParams: planInput(() => validateSearchParams(c.searchParams), `children.${index}.searchParams`),
    }),
  );
  const differs = expected.length !== got.length ? -1 : expected.findIndex((shape, index) => shape !== got[index]);
  if (expected.length !== got.length || differs >= 0) {
    throw badInput(
      `children: ${got.length} reported, ${expected.length} expected${differs >= 0 ? `; children.${differs} differs from the plan rules` : ''} (is the worker's version current?)`,
    );
  }
}

/** Keys in the order jsonb keeps them (shorter first, then bytewise), so the summary reads back identical. */
function jsonbOrdered<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)),
  ) as T;
}

/**
 * The hash completeTask gives a completion with no documents and this summary. Stored as the PLAN task's
 * completion hash, so a client that also sends completeTask after completePlanTask (same token, the summary
 * it was given back) gets the idempotent answer instead of a conflict. (Our worker does not.)
 */
const completeTaskHash = (resultSummary: unknown) =>
  completionHashOf({ documentsDownloaded: 0, documentsFailed: 0, documentsSkipped: 0, resultSummary });

/**
 * A worker's decision for its PLAN task: the children are inserted (dedup keys already planned are
 * skipped) and the task completed in one transaction, fenced by the lease token. The same token and
 * body again answers the same; a stale token gets LEASE_LOST and changes nothing.
 */
export async function completePlanTask(actor: Actor | null, input: PlanCompletionInput): Promise<PlanTaskCompletion> {
  requireActor(actor);
  const c = parseInput(planCompletionInput, input);
  const { taskId, leaseToken } = c;
  const done = await prisma.$transaction(async (tx) => {
    const parent = await lockLeasedTask(taskId, leaseToken, tx);
    if (!parent) return null;
    if (parent.kind !== 'PLAN') throw badInput(`taskId: task ${taskId} is a ${parent.kind} task, not a plan task`);
    const options = requirePlanOptions(parent.planOptions);
    const decision = planInput(() =>
      decideWindow({ searchParams: validateSearchParams(parent.searchParams), total: c.total, options }),
    );
    checkReported(c, decision);
    const created = await insertChildren(
      decision.children,
      {
        priority: parent.priority,
        maxAttempts: parent.maxAttempts,
        parentId: parent.id,
        planId: parent.planId,
        followId: parent.followId,
      },
      childOptionsOf(options),
      tx,
    );
    const summary = jsonbOrdered({
      outcome: decision.outcome,
      total: decision.total,
      perPage: decision.perPage,
      limit: decision.limit,
      splitField: decision.splitField,
      planned: decision.planned,
      children: decision.children.length,
      created: created.length,
      existing: decision.children.length - created.length,
    });
    const [task] = await completePlanTaskSql(
      { taskId, leaseToken, total: c.total, resultSummary: summary, completionHash: completeTaskHash(summary) },
      tx,
    );
    return { task, outcome: decision.outcome, created: created.length, existing: summary.existing };
  });
  if (done) return done;
  return repeatedPlanCompletion(taskId, leaseToken, c);
}

/** Same token, same total and outcome (hence the same children): the same answer, nothing created twice. */
async function repeatedPlanCompletion(
  taskId: string,
  leaseToken: string,
  c: { total: number; outcome: PlanOutcome },
): Promise<PlanTaskCompletion> {
  const task = await prisma.task.findUnique({ where: { id: taskId } });
  if (!task) throw notFound('task', taskId);
  if (task.status === 'COMPLETED' && task.leaseToken === leaseToken) {
    const summary = task.resultSummary as { outcome?: PlanOutcome; total?: number; children?: number } | null;
    if (summary?.outcome !== c.outcome || summary.total !== c.total)
      throw new GateError('CONFLICT', `task ${taskId} was already completed with a different plan`);
    return { task, outcome: summary.outcome, created: 0, existing: summary.children ?? 0 };
  }
  throw leaseLost(task);
}

export function requestOfPlan(plan: Plan): PlanRequest {
  return {
    searchParams: plan.searchParams as SearchParams,
    from: plan.dateFrom,
    to: plan.dateTo,
    window: plan.window as PlanRequest['window'],
    options: requirePlanOptions(plan.options),
  };
}
