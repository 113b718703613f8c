// Progress from the lease holder: absolute counters (so a repeated report changes nothing) and a fresh lease.
// A report may also carry the decisions that failed since the last one (kept in failed_documents, one row per
// decision: a later failure updates it) and the worker's latest log lines (task_logs, the last MAX_LOG_LINES of the
// current lease). Both ride in the same statement and only when the fenced update happened (`FROM moved`).
import { Prisma } from '../../generated/prisma/client.ts';
import { inSeconds, LEASED } from './task-row.ts';
import { transitionTasks } from './transition-tasks.ts';

/** Lines of a task's worker log the gate keeps (the newest). */
export const MAX_LOG_LINES = 100;

export interface FailedDocumentReport {
  documentId: string;
  errorClass: string;
  message: string;
  courtName?: string | null;
  adoptedOn?: string | null;
}

export interface ProgressCounts {
  documentsDownloaded: number;
  documentsFailed: number;
  documentsSkipped: number;
  totalExpected?: number | null;
  /** the document the worker just finished or started, for the event log */
  documentId?: string | null;
  failedDocuments?: FailedDocumentReport[] | null;
  logLines?: string[] | null;
}

function failedDocumentsCte(failed: FailedDocumentReport[]) {
  return Prisma.sql`, failed_reported AS (
    INSERT INTO failed_documents (document_id, task_id, client_id, error_class, message, attempt, court_name, adopted_on)
    SELECT f."documentId", moved.id, moved.lease_holder_id, f."errorClass"::"ErrorClass", f."message", moved.attempts,
      f."courtName", f."adoptedOn"
    FROM moved, jsonb_to_recordset(${JSON.stringify(failed)}::jsonb)
      AS f("documentId" text, "errorClass" text, "message" text, "courtName" text, "adoptedOn" text)
    ON CONFLICT (document_id) DO UPDATE SET task_id = EXCLUDED.task_id, client_id = EXCLUDED.client_id,
      error_class = EXCLUDED.error_class, message = EXCLUDED.message, attempt = EXCLUDED.attempt,
      failures = failed_documents.failures + 1, last_failed_at = now(), retry_task_id = NULL,
      court_name = coalesce(EXCLUDED.court_name, failed_documents.court_name),
      adopted_on = coalesce(EXCLUDED.adopted_on, failed_documents.adopted_on))`;
}

function logLinesCte(lines: string[]) {
  return Prisma.sql`, log_appended AS (
    INSERT INTO task_logs (task_id, lease_epoch, lines, updated_at)
    SELECT moved.id, moved.lease_epoch, ${JSON.stringify(lines.slice(-MAX_LOG_LINES))}::jsonb, now() FROM moved
    ON CONFLICT (task_id) DO UPDATE SET
      lines = CASE WHEN task_logs.lease_epoch = EXCLUDED.lease_epoch THEN (
        SELECT coalesce(jsonb_agg(kept.line ORDER BY kept.n), '[]'::jsonb) FROM (
          SELECT line, n FROM jsonb_array_elements(task_logs.lines || EXCLUDED.lines) WITH ORDINALITY AS x(line, n)
          ORDER BY n DESC LIMIT ${MAX_LOG_LINES}) kept)
        ELSE EXCLUDED.lines END,
      lease_epoch = EXCLUDED.lease_epoch, updated_at = now())`;
}

export function reportProgress(taskId: string, leaseToken: string, counts: ProgressCounts, leaseSeconds: number) {
  const extras = [
    counts.failedDocuments?.length ? failedDocumentsCte(counts.failedDocuments) : null,
    counts.logLines?.length ? logLinesCte(counts.logLines) : null,
  ].filter((cte): cte is Prisma.Sql => cte !== null);
  return transitionTasks({
    where: Prisma.sql`id = ${taskId}::uuid AND lease_token = ${leaseToken}::uuid AND status IN ${LEASED}`,
    set: Prisma.sql`status = 'RUNNING', started_at = coalesce(started_at, now()),
      documents_downloaded = ${counts.documentsDownloaded}, documents_failed = ${counts.documentsFailed},
      documents_skipped = ${counts.documentsSkipped}, total_expected = coalesce(${counts.totalExpected ?? null}::int, total_expected),
      lease_expires_at = ${inSeconds(leaseSeconds)}`,
    event: 'PROGRESS',
    eventData: Prisma.sql`jsonb_build_object('downloaded', moved.documents_downloaded, 'failed', moved.documents_failed,
      'skipped', moved.documents_skipped, 'total', moved.total_expected, 'documentId', ${counts.documentId ?? null}::text)`,
    alsoCtes: extras.length ? Prisma.join(extras, '') : undefined,
  });
}
