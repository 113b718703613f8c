// Per-task download progress: which documents the holder started (older clients announce each one), how
// fast it goes, when it will be done. Announcing a document is a progress report: it extends the lease.
import { z } from 'zod';
import { prisma } from '../db/database.ts';
import { announcedDocuments } from '../db/sql/announced-documents.ts';
import type { TaskRow } from '../db/sql/task-row.ts';
import type { Client } from '../generated/prisma/client.ts';
import { requireActor, type Actor } from './actor.ts';
import { holderLeaseToken } from './client-leases.ts';
import { notFound, parseInput } from './errors.ts';
import { reportProgress } from './leases.ts';
import { idSchema, parseId } from './ids.ts';

export interface DownloadStatistics {
  taskId: string;
  status: TaskRow['status'];
  /** distinct documents the holder announced during the current (or last) lease */
  documentsStarted: number;
  documentsDownloaded: number;
  documentsFailed: number;
  documentsSkipped: number;
  /** total_expected when the worker reported it, else max_documents */
  documentsTarget: number;
  startedAt: Date | null;
  lastActivityAt: Date | null;
  elapsedSeconds: number | null;
  averageSecondsPerDocument: number | null;
  documentsPerMinute: number | null;
  etaSeconds: number | null;
  estimatedCompletionAt: Date | null;
}

export async function downloadStatistics(actor: Actor | null, taskIdInput: string): Promise<DownloadStatistics> {
  requireActor(actor);
  const taskId = parseId(taskIdInput, 'taskId');
  const task = await prisma.task.findUnique({ where: { id: taskId } });
  if (!task) throw notFound('task', taskId);
  return statisticsOf(task);
}

async function statisticsOf(task: TaskRow, now = new Date()): Promise<DownloadStatistics> {
  const announced = task.claimedAt ? await announcedDocuments(task.id) : { started: 0, last: null };
  const finished = task.documentsDownloaded + task.documentsFailed + task.documentsSkipped;
  const processed = Math.max(announced.started, finished);
  const target = task.totalExpected ?? task.maxDocuments;
  const startedAt = task.startedAt ?? task.claimedAt;
  const end = task.completedAt ?? now;
  const elapsedSeconds = startedAt ? Math.max(0, (end.getTime() - startedAt.getTime()) / 1000) : null;
  const perDocument = elapsedSeconds !== null && processed > 0 ? elapsedSeconds / processed : null;
  const running = task.status === 'CLAIMED' || task.status === 'RUNNING';
  const etaSeconds = running && perDocument !== null ? Math.max(0, target - processed) * perDocument : null;
  return {
    taskId: task.id,
    status: task.status,
    documentsStarted: announced.started,
    documentsDownloaded: task.documentsDownloaded,
    documentsFailed: task.documentsFailed,
    documentsSkipped: task.documentsSkipped,
    documentsTarget: target,
    startedAt,
    lastActivityAt: announced.last ?? task.completedAt ?? task.startedAt ?? task.claimedAt,
    elapsedSeconds,
    averageSecondsPerDocument: perDocument,
    documentsPerMinute: elapsedSeconds ? (processed / elapsedSeconds) * 60 : null,
    etaSeconds,
    estimatedCompletionAt: etaSeconds === null ? null : new Date(now.getTime() + etaSeconds * 1000),
  };
}

const announcement = z.object({
  taskId: z.string(),
  documentId: z.string().trim().min(1).max(100),
  leaseToken: idSchema.nullish(),
});

/** The holder starts downloading a document: recorded as progress (same counters), which extends the lease. */
export async function documentDownloadStarted(
  actor: Actor | null,
  client: Client,
  input: z.input<typeof announcement>,
): Promise<DownloadStatistics> {
  const a = parseInput(announcement, input);
  const { task, leaseToken } = await holderLeaseToken(client, a.taskId, a.leaseToken);
  const lease = await reportProgress(actor, {
    taskId: task.id,
    leaseToken,
    documentsDownloaded: task.documentsDownloaded,
    documentsFailed: task.documentsFailed,
    documentsSkipped: task.documentsSkipped,
    documentId: a.documentId,
  });
  return statisticsOf(lease.task);
}
