// The lease writes the gate coalesces (server/db/statement-batcher.ts): single claims, single completions and the
// older REST clients' completions by holder that arrive together share one statement each. With many workers
// claiming and completing one task at a time, PostgreSQL then runs (and commits) one statement per batch instead of
// one per request (docs/benchmarks.md, issue 16). The answers are the ones each request would have got alone: every
// row keeps its own fence (token or holder), and requests that could not share a statement wait for the next one.
import { performance } from 'node:perf_hooks';
import { claimTaskForEach, type OneClaim } from '../db/sql/claim-task-for-each.ts';
import { completeHeldTasks, completeTasks, type Completion, type HeldCompletion } from '../db/sql/complete-task.ts';
import type { SingleColumns, TaskKeyRow, TaskRowOf } from '../db/sql/task-row.ts';
import { StatementBatcher } from '../db/statement-batcher.ts';
import { reportOutcome } from './outcomes.ts';

/** requests per coalesced statement: past a few dozen a batch costs the database more per row than it saves */
const MAX_BATCH = 50;

interface Claim extends OneClaim {
  leaseSeconds: number;
  columns: SingleColumns;
}

/** Each choice of columns holds the ones after it (task-row.ts). */
const WIDEST_FIRST: SingleColumns[] = ['whole', 'keyAndInput', 'key'];
/**
 * The columns a coalesced statement returns: the widest any request in it asks for (a whole row is a key row too, so
 * requests of every kind share a statement, and those that asked for less get more).
 */
const columnsFor = (inputs: Array<{ columns: SingleColumns }>): SingleColumns =>
  WIDEST_FIRST.find((columns) => inputs.some((i) => i.columns === columns)) ?? 'whole';

const claims = new StatementBatcher<Claim, TaskKeyRow | null>({
  maxBatch: MAX_BATCH,
  // all claims of one client in a statement are allowed or none is (claim-task-for-each.ts), and one lease length
  conflicts: (a, b) =>
    (a.clientId === b.clientId && a.ownerKeyId !== b.ownerKeyId) || a.leaseSeconds !== b.leaseSeconds,
  async run(inputs) {
    const rows: TaskKeyRow[] = await timed('claim', inputs.length, () =>
      claimTaskForEach(inputs, inputs[0].leaseSeconds, columnsFor(inputs)),
    );
    // rows come back by lease holder; each claim of that client takes one
    const byClient = new Map<string, TaskKeyRow[]>();
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
function completionBatcher<C extends { taskId: string; columns: SingleColumns }>(
  statement: (inputs: C[], columns: SingleColumns) => Promise<TaskKeyRow[]>,
) {
  return new StatementBatcher<C, TaskKeyRow | null>({
    maxBatch: MAX_BATCH,
    // two completions of one task never share a statement: the UPDATE would apply one of them to both
    conflicts: (a, b) => a.taskId === b.taskId,
    async run(inputs) {
      const done = new Map(
        (await timed('completion', inputs.length, () => statement(inputs, columnsFor(inputs)))).map((row) => [
          row.id,
          row,
        ]),
      );
      return inputs.map((c) => done.get(c.taskId) ?? null);
    },
  });
}

type Asking<T> = T & { columns: SingleColumns };
const completions = completionBatcher<Asking<Completion>>(completeTasks);
const heldCompletions = completionBatcher<Asking<HeldCompletion>>(completeHeldTasks);

/**
 * Claims one task for `clientId` (null: nothing to claim, or this caller may not claim for it); with `columns` 'key'
 * the task may come back as its TaskKeyRow only.
 */
export const claimOneTask = <C extends SingleColumns = 'whole'>(claim: OneClaim, leaseSeconds: number, columns?: C) =>
  claims.submit({ ...claim, leaseSeconds, columns: columns ?? 'whole' }) as Promise<TaskRowOf<C> | null>;

/** Completes one task fenced by its lease token (null: the completion changed nothing); `columns` as claimOneTask's. */
export const completeOneTask = <C extends SingleColumns = 'whole'>(completion: Completion, columns?: C) =>
  completions.submit({ ...completion, columns: columns ?? 'whole' }) as Promise<TaskRowOf<C> | null>;

/** Completes one task fenced by its holder (null: the completion changed nothing); `columns` as claimOneTask's. */
export const completeOneHeldTask = <C extends SingleColumns = 'whole'>(completion: HeldCompletion, columns?: C) =>
  heldCompletions.submit({ ...completion, columns: columns ?? 'whole' }) as Promise<TaskRowOf<C> | null>;
