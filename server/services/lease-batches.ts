// The lease writes the gate coalesces (server/db/statement-batcher.ts): single claims, single completions and the
// older REST clients' completions by holder that arrive together share one statement each. With many workers
// claiming and completing one task at a time, PostgreSQL then runs (and commits) one statement per batch instead of
// one per request (docs/benchmarks.md, issue 16). The answers are the ones each request would have got alone: every
// row keeps its own fence (token or holder), and requests that could not share a statement wait for the next one.
import { performance } from 'node:perf_hooks';
import { claimTaskForEach, type OneClaim } from '../db/sql/claim-task-for-each.ts';
import { completeHeldTasks, completeTasks, type Completion, type HeldCompletion } from '../db/sql/complete-task.ts';
import type { TaskRow } from '../db/sql/task-row.ts';
import { StatementBatcher } from '../db/statement-batcher.ts';
import { reportOutcome } from './outcomes.ts';

/** requests per coalesced statement: past a few dozen a batch costs the database more per row than it saves */
const MAX_BATCH = 50;

interface Claim extends OneClaim {
  leaseSeconds: number;
}

const claims = new StatementBatcher<Claim, TaskRow | null>({
  maxBatch: MAX_BATCH,
  // all claims of one client in a statement are allowed or none is (claim-task-for-each.ts), and one lease length
  conflicts: (a, b) =>
    (a.clientId === b.clientId && a.ownerKeyId !== b.ownerKeyId) || a.leaseSeconds !== b.leaseSeconds,
  async run(inputs) {
    const rows = await timed('claim', inputs.length, () => claimTaskForEach(inputs, inputs[0].leaseSeconds));
    // rows come back by lease holder; each claim of that client takes one
    const byClient = new Map<string, TaskRow[]>();
    for (const row of rows) {
      const list = byClient.get(row.leaseHolderId!);
      if (list) list.push(row);
      else byClient.set(row.leaseHolderId!, [row]);
    }
    return inputs.map((c) => byClient.get(c.clientId)?.shift() ?? null);
  },
});

/**
 * Runs one coalesced statement and reports its size and how long it took (/metrics): the time a request waits for
 * its batch's statement is most of a single claim's or completion's latency (docs/benchmarks.md, issue 16, session 10).
 */
async function timed<T>(kind: 'claim' | 'completion', requests: number, statement: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await statement();
  } finally {
    reportOutcome({ type: 'coalesced', kind, requests, seconds: (performance.now() - started) / 1000 });
  }
}

/** Coalesced completions through `statement` (fenced by token or by holder); null: the completion changed nothing. */
function completionBatcher<C extends { taskId: string }>(statement: (inputs: C[]) => Promise<TaskRow[]>) {
  return new StatementBatcher<C, TaskRow | null>({
    maxBatch: MAX_BATCH,
    // two completions of one task never share a statement: the UPDATE would apply one of them to both
    conflicts: (a, b) => a.taskId === b.taskId,
    async run(inputs) {
      const done = new Map(
        (await timed('completion', inputs.length, () => statement(inputs))).map((row) => [row.id, row]),
      );
      return inputs.map((c) => done.get(c.taskId) ?? null);
    },
  });
}

const completions = completionBatcher<Completion>(completeTasks);
const heldCompletions = completionBatcher<HeldCompletion>(completeHeldTasks);

/** Claims one task for `clientId` (null: nothing to claim, or this caller may not claim for it). */
export const claimOneTask = (claim: OneClaim, leaseSeconds: number) => claims.submit({ ...claim, leaseSeconds });

/** Completes one task fenced by its lease token (null: the completion changed nothing). */
export const completeOneTask = (completion: Completion) => completions.submit(completion);

/** Completes one task fenced by its holder (null: the completion changed nothing). */
export const completeOneHeldTask = (completion: HeldCompletion) => heldCompletions.submit(completion);
