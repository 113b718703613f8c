/**
 * Running a PLAN task: search the task's window (sorted by date) through the registry session, read the
 * total, decide with the pure plan rules (client/rules/plan-window.ts) and report the decision with
 * `completePlanTask` — the gate checks it against the same rules and creates the children (half windows,
 * field splits or download chunks) and completes the task in one transaction, fenced by the lease token.
 *
 * The worker loop calls this for tasks of kind PLAN. Errors are left to the loop: a RegistryError (rate
 * limit, error page, captcha …) or a GateCallError (LEASE_LOST, network …) decides what happens to the lease.
 * The task is already COMPLETED when this resolves, so the loop sends no completion of its own.
 */
import type { Logger } from 'pino';
import type { GateClient } from '../gate/client.ts';
import { graphql } from '../gate/generated/index.ts';
import {
  decideWindow,
  planOptionsOf,
  type PlanOutcome,
  RegistryError,
  itemsPerPageOf,
  validateSearchParams,
} from '../rules/index.ts';
import type { RegistrySession } from '../registry/session.ts';

export const PlanTaskOptionsDocument = graphql(`
  query PlanTaskOptions($id: ID!) {
    task(id: $id) { id kind planOptions }
  }
`);

export const CompletePlanTaskDocument = graphql(`
  mutation PlanCompleteTask($input: CompletePlanTaskInput!) {
    completePlanTask(input: $input) { outcome created existing task { id status totalExpected resultSummary } }
  }
`);

export interface PlanTaskRun {
  /** the claimed task; planOptions is read from the gate when the claim did not select it */
  task: { id: string; searchParams: unknown; planOptions?: unknown };
  lease: { leaseToken: string };
  session: Pick<RegistrySession, 'search'>;
  gate: Pick<GateClient, 'request'>;
  log: Pick<Logger, 'info' | 'debug'>;
  signal?: AbortSignal;
}

export interface PlanTaskResult {
  /** what the gate stored on the completed task; completeTask with it (and zero counts) is a harmless repeat */
  resultSummary: unknown;
  documentsDownloaded: 0;
  outcome: PlanOutcome;
  /** the window's total as the registry showed it */
  total: number;
  children: number;
  /** children the gate created (the rest were planned before) */
  created: number;
  existing: number;
}

export async function runPlanTask({ task, lease, session, gate, log, signal }: PlanTaskRun): Promise<PlanTaskResult> {
  signal?.throwIfAborted();
  const rules = task.planOptions ?? (await gate.request(PlanTaskOptionsDocument, { id: task.id })).task?.planOptions;
  const options = planOptionsOf(rules);
  if (!options) {
    throw new RegistryError('PARSE', `task ${task.id} has no plan rules (planOptions); is it a PLAN task?`, {
      reason: 'no-plan-options',
    });
  }
  const params = validateSearchParams(task.searchParams);
  signal?.throwIfAborted();

  const summary = await session.search(params);
  if (summary.perPage !== itemsPerPageOf(params)) {
    throw new RegistryError(
      'PARSE',
      `the registry showed ${summary.perPage} rows per page, the task asked for ${itemsPerPageOf(params)}`,
      { reason: 'per-page-mismatch' },
    );
  }
  const decision = decideWindow({ searchParams: params, total: summary.total, options });
  log.info(
    {
      taskId: task.id,
      window: `${params.RegDateBegin}..${params.RegDateEnd}`,
      total: summary.total,
      outcome: decision.outcome,
      children: decision.children.length,
    },
    decision.outcome === 'GAP' ? 'plan task: a gap (over the cap, nothing left to split by)' : 'plan task decided',
  );
  signal?.throwIfAborted();

  const { completePlanTask } = await gate.request(CompletePlanTaskDocument, {
    input: {
      taskId: task.id,
      leaseToken: lease.leaseToken,
      total: summary.total,
      outcome: decision.outcome,
      children: decision.children.map((c) => ({
        kind: c.kind,
        searchParams: c.searchParams,
        startPage: c.startPage,
        maxDocuments: c.maxDocuments,
      })),
    },
  });
  log.debug(
    { taskId: task.id, created: completePlanTask.created, existing: completePlanTask.existing },
    'plan task completed',
  );
  return {
    resultSummary: completePlanTask.task.resultSummary,
    documentsDownloaded: 0,
    outcome: completePlanTask.outcome,
    total: summary.total,
    children: decision.children.length,
    created: completePlanTask.created,
    existing: completePlanTask.existing,
  };
}
