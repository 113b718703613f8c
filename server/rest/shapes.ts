// What the older REST API's JSON looks like: snake_case records, its six task status strings, and body
// field types as FastAPI validated them (numeric strings are accepted for integers).
import { z } from 'zod';
import type { ClientTaskStatistics } from '../services/client-stats.ts';
import type { Client, TaskRow, TaskStatus } from '../services/rows.ts';
import type { DownloadStatistics } from '../services/task-progress.ts';

export const REST_STATUSES = ['pending', 'assigned', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type RestStatus = (typeof REST_STATUSES)[number];

const TO_REST: Record<TaskStatus, RestStatus> = {
  PENDING: 'pending',
  CLAIMED: 'assigned',
  RUNNING: 'in_progress',
  COMPLETED: 'completed',
  FAILED: 'failed',
  DEAD: 'failed',
  CANCELLED: 'cancelled',
};

export const restStatus = (status: TaskStatus): RestStatus => TO_REST[status];

/** The internal statuses a REST status stands for. */
export const internalStatuses = (status: RestStatus): TaskStatus[] =>
  (Object.keys(TO_REST) as TaskStatus[]).filter((s) => TO_REST[s] === status);

/** An integer field: JSON numbers, or numeric strings ("5") as FastAPI accepted them. */
export const intField = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.number().int().min(min).max(max),
  );

export function taskJson(t: TaskRow) {
  return {
    task_id: t.id,
    status: restStatus(t.status),
    search_params: t.searchParams,
    start_page: t.startPage,
    max_documents: t.maxDocuments,
    client_id: t.leaseHolderId,
    assigned_at: t.claimedAt,
    started_at: t.startedAt,
    completed_at: t.completedAt,
    documents_downloaded: t.documentsDownloaded,
    documents_failed: t.documentsFailed,
    documents_skipped: t.documentsSkipped,
    error_message: t.lastError,
    created_at: t.createdAt,
  };
}

/** Counts of the whole table in REST statuses (failed = failed for good + out of attempts). */
export function countsJson(byStatus: Record<TaskStatus, number>) {
  const sum = (s: RestStatus) => internalStatuses(s).reduce((n, i) => n + byStatus[i], 0);
  return {
    total_tasks: Object.values(byStatus).reduce((a, b) => a + b, 0),
    pending: sum('pending'),
    assigned: sum('assigned'),
    in_progress: sum('in_progress'),
    completed: sum('completed'),
    failed: sum('failed'),
    cancelled: sum('cancelled'),
  };
}

export function clientJson(c: Client) {
  return {
    id: c.id,
    client_name: c.name,
    client_host: c.host,
    status: c.status.toLowerCase(),
    last_heartbeat: c.lastHeartbeatAt,
    total_tasks_completed: c.tasksCompleted,
    total_documents_downloaded: c.documentsDownloaded,
    created_at: c.createdAt,
  };
}

export function taskStatisticsJson(s: ClientTaskStatistics) {
  return {
    total_tasks: s.totalTasks,
    completed_tasks: s.completedTasks,
    in_progress_tasks: s.inProgressTasks,
    failed_tasks: s.failedTasks,
    pending_tasks: s.pendingTasks,
    total_docs_from_tasks: s.totalDocsFromTasks,
    total_docs_failed: s.totalDocsFailed,
    total_docs_skipped: s.totalDocsSkipped,
    first_task_date: s.firstTaskDate,
    last_task_date: s.lastTaskDate,
  };
}

const round = (n: number | null, digits = 2) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

export function downloadStatisticsJson(s: DownloadStatistics) {
  return {
    task_id: s.taskId,
    status: restStatus(s.status),
    documents_started: s.documentsStarted,
    documents_downloaded: s.documentsDownloaded,
    documents_failed: s.documentsFailed,
    documents_skipped: s.documentsSkipped,
    documents_target: s.documentsTarget,
    started_at: s.startedAt,
    last_activity_at: s.lastActivityAt,
    elapsed_seconds: round(s.elapsedSeconds),
    average_seconds_per_document: round(s.averageSecondsPerDocument),
    documents_per_minute: round(s.documentsPerMinute),
    eta_seconds: round(s.etaSeconds, 0),
    estimated_completion_at: s.estimatedCompletionAt,
  };
}
