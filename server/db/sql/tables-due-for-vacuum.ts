// The tables PostgreSQL's autovacuum would pick now, by its own rules, for the gate's upkeep of PGlite (which runs
// no autovacuum: ../../pglite-vacuum.ts). A table (or its TOAST table, which PostgreSQL 14+ vacuums by name) is due
// for VACUUM when its dead rows pass `threshold + scale × rows`, its rows inserted since the last vacuum pass the
// insert rule's own pair (an append-mostly table such as task_events gets its visibility map and freezing that
// way), or its oldest unfrozen transaction id is older than the freeze age; it is due for ANALYZE when its rows
// changed since the last analyze pass `threshold + scale × rows`. `rows` is pg_class.reltuples, as autovacuum's:
// the last vacuum's or analyze's count, kept on disk (the statistics counters are not: PGlite starts them at zero).
// The name is regclass text: quoted and schema-qualified as needed, so it can stand in a VACUUM as it is.
// pg_statistic is never due for ANALYZE (autovacuum's rule too): ANALYZE skips it, so its changed-rows count — which
// every other table's ANALYZE raises — would never fall, and every pass would "analyze" it again.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export interface VacuumRules {
  vacuumThreshold: number;
  vacuumScaleFactor: number;
  insertThreshold: number;
  insertScaleFactor: number;
  analyzeThreshold: number;
  analyzeScaleFactor: number;
  freezeMaxAge: number;
}

export interface TableDue {
  table: string;
  vacuum: boolean;
  analyze: boolean;
  deadRows: number;
  changedRows: number;
}

export function tablesDueForVacuum(rules: VacuumRules): Promise<TableDue[]> {
  return run<TableDue>(Prisma.sql`
    WITH counted AS (
      SELECT s.relid::regclass::text AS "table", s.relid, c.relkind,
        greatest(c.reltuples, 0)::float8 AS rows, s.n_dead_tup::float8 AS "deadRows",
        s.n_ins_since_vacuum::float8 AS inserted, s.n_mod_since_analyze::float8 AS "changedRows",
        age(c.relfrozenxid)::float8 AS "xidAge"
      FROM pg_stat_all_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE c.relkind IN ('r', 'm', 't') AND s.schemaname <> 'information_schema'
    ), judged AS (
      SELECT "table", "deadRows", "changedRows",
        "deadRows" > ${rules.vacuumThreshold}::float8 + ${rules.vacuumScaleFactor}::float8 * rows
          OR inserted > ${rules.insertThreshold}::float8 + ${rules.insertScaleFactor}::float8 * rows
          OR "xidAge" > ${rules.freezeMaxAge}::float8 AS "vacuum",
        relkind <> 't' AND relid <> 'pg_catalog.pg_statistic'::regclass
          AND "changedRows" > ${rules.analyzeThreshold}::float8 + ${rules.analyzeScaleFactor}::float8 * rows AS "analyze"
      FROM counted
    )
    SELECT * FROM judged WHERE "vacuum" OR "analyze" ORDER BY "deadRows" DESC, "changedRows" DESC`);
}
