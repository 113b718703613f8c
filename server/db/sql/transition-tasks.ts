// The one shape every task state change has: UPDATE the rows, and INSERT one event per changed row in the
// same statement (so the change and its event commit together, and the event log's ordering trigger sees a
// single insert at the very end of the transaction). Claim, progress, complete, release, cancel, retry and
// the sweeper are all instances of it.
import { Prisma } from '../../generated/prisma/client.ts';
import { type QueryRunner, runIn } from '../database.ts';
import { taskEventsWritten } from '../event-writes.ts';
import {
  selectTasksAsJson,
  TASK_COLUMNS,
  TASK_KEY_AND_INPUT_COLUMNS,
  TASK_KEY_COLUMNS,
  LEASE_TOKEN_COLUMNS,
  COUNTED_COLUMNS,
  MOVED_KEY_COLUMNS,
  type TaskColumns,
  taskFromJson,
  type TaskRowOf,
} from './task-row.ts';

export interface Transition<C extends TaskColumns = 'whole'> {
  /** WHERE clause over `tasks` choosing the rows to change */
  where: Prisma.Sql;
  /** SET list (without updated_at, which is always set) */
  set: Prisma.Sql;
  /** an UPDATE … FROM source (e.g. per-row input values), named in `where` and `set` */
  from?: Prisma.Sql;
  /** event type written for each changed row, e.g. CLAIMED */
  event: string;
  /** the client the event is attributed to; by default the task's (last) lease holder */
  clientId?: string | null;
  /** SQL expression over the changed row (`moved`) giving the event's data (jsonb) */
  eventData?: Prisma.Sql;
  /** more data-modifying CTEs that read `moved` (e.g. crediting the client), comma-prefixed */
  alsoCtes?: Prisma.Sql;
  /** CTEs that `from` or `where` read, placed before the UPDATE, each followed by a comma (e.g. `pairs AS (…),`) */
  inputCtes?: Prisma.Sql;
  /**
   * Few rows change (one claim or completion, or a few coalesced ones): each comes back as one json value
   * (selectTasksAsJson), which costs the client less and the server ~35 µs more per row — a gain for a few rows, a
   * loss for a batch of 50 (docs/benchmarks.md, issue 16), so batches keep the columns.
   */
  asJson?: boolean;
  /**
   * Other than 'whole': the changed rows come back as those columns only (SELECTED_COLUMNS; then never as json);
   * for the parts of the key ('key', 'leaseToken', 'counted') `eventData` and `alsoCtes` may read only
   * MOVED_KEY_COLUMNS of `moved`
   */
  columns?: C;
}

/** The columns each choice of TaskColumns returns. */
const SELECTED_COLUMNS: Record<TaskColumns, Prisma.Sql> = {
  whole: TASK_COLUMNS,
  keyAndInput: TASK_KEY_AND_INPUT_COLUMNS,
  key: TASK_KEY_COLUMNS,
  leaseToken: LEASE_TOKEN_COLUMNS,
  counted: COUNTED_COLUMNS,
};
/** The choices that are parts of the key: their statements keep only MOVED_KEY_COLUMNS of each changed row. */
const PARTS_OF_KEY: ReadonlySet<TaskColumns> = new Set(['key', 'leaseToken', 'counted']);
const ALL_OF_EACH_ROW = Prisma.raw('tasks.*');

/** Up to this many changed rows come back as json values (Transition.asJson). */
export const FEW_ROWS = 8;

/** Without `tx` (or with the client itself) the statement runs on the driver directly (Database.run); in a transaction, on it. */
export async function transitionTasks<C extends TaskColumns = 'whole'>(
  t: Transition<C>,
  tx?: QueryRunner,
): Promise<TaskRowOf<C>[]> {
  return runTransition<C>(transitionStatement(t), returnsJson(t), tx);
}

/** Whether the statement of `t` returns each row as one json value (Transition.asJson). */
export const returnsJson = (t: Pick<Transition<TaskColumns>, 'asJson' | 'columns'>) =>
  !!t.asJson && (t.columns ?? 'whole') === 'whole';

/** The statement of a transition (run it with runTransition; shaped-statement.ts builds it once per shape). */
export function transitionStatement<C extends TaskColumns = 'whole'>(t: Transition<C>): Prisma.Sql {
  const choice: TaskColumns = t.columns ?? 'whole';
  return Prisma.sql`
    WITH ${t.inputCtes ?? Prisma.empty} moved AS (
      UPDATE tasks SET ${t.set}, updated_at = now()
      ${t.from ? Prisma.sql`FROM ${t.from}` : Prisma.empty}
      WHERE ${t.where}
      RETURNING ${PARTS_OF_KEY.has(choice) ? MOVED_KEY_COLUMNS : ALL_OF_EACH_ROW}
    )${t.alsoCtes ?? Prisma.empty}, logged AS (
      INSERT INTO task_events (task_id, type, status, client_id, data)
      SELECT moved.id, ${t.event}, moved.status, coalesce(${t.clientId ?? null}::uuid, moved.lease_holder_id), ${t.eventData ?? Prisma.sql`NULL::jsonb`}
      FROM moved
    )
    ${returnsJson(t) ? selectTasksAsJson(Prisma.sql`moved`) : Prisma.sql`SELECT ${SELECTED_COLUMNS[choice]} FROM moved`}`;
}

/** Runs a transition's statement; `asJson`: returnsJson of its transition. */
export async function runTransition<C extends TaskColumns = 'whole'>(
  query: Prisma.Sql,
  asJson: boolean,
  tx?: QueryRunner,
): Promise<TaskRowOf<C>[]> {
  type Row = TaskRowOf<C> & { row: unknown };
  const rows = await runIn<Row>(tx, query);
  if (rows.length) taskEventsWritten();
  return asJson ? (rows.map(taskFromJson) as TaskRowOf<C>[]) : rows;
}
