// Failed documents: the decisions workers could not download, with their reasons (reported with progress,
// server/db/sql/report-progress.ts), listed by filter and retried. A retry is a small DOWNLOAD task for that one
// decision (the registry's RegNumber search), keyed by the decision and its failure count, so retrying twice
// before it ran creates one task. A decision that reaches the store leaves the list (document-upload.ts).
import { z } from 'zod';
import { prisma } from '../db/database.ts';
import { insertTasks } from '../db/sql/insert-tasks.ts';
import { setFailedDocumentRetries } from '../db/sql/set-failed-document-retries.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { ErrorClass } from '../generated/prisma/enums.ts';
import { requireAdmin, type Actor } from './actor.ts';
import { badInput, parseInput } from './errors.ts';
import { idSchema } from './ids.ts';
import { policy } from './policy.ts';

/** Most decisions one retry request turns into tasks. */
export const MAX_RETRY_DOCUMENTS = 10_000;

export const failedDocumentFilterSchema = z.object({
  errorClass: z.array(z.enum(ErrorClass)).max(10).nullish(),
  /** court name contains (case-insensitive) */
  court: z.string().trim().min(1).max(200).nullish(),
  /** last failure at or after / before */
  failedAfter: z.date().nullish(),
  failedBefore: z.date().nullish(),
  taskId: idSchema.nullish(),
  clientId: idSchema.nullish(),
  documentIds: z.array(z.string().min(1).max(100)).max(MAX_RETRY_DOCUMENTS).nullish(),
});
export type FailedDocumentFilter = z.input<typeof failedDocumentFilterSchema>;

export function failedDocumentWhere(input: FailedDocumentFilter | null | undefined): Prisma.FailedDocumentWhereInput {
  const f = parseInput(failedDocumentFilterSchema, input ?? {});
  const and: Prisma.FailedDocumentWhereInput[] = [];
  if (f.errorClass?.length) and.push({ errorClass: { in: f.errorClass } });
  if (f.court) and.push({ courtName: { contains: f.court, mode: 'insensitive' } });
  if (f.failedAfter) and.push({ lastFailedAt: { gte: f.failedAfter } });
  if (f.failedBefore) and.push({ lastFailedAt: { lt: f.failedBefore } });
  if (f.taskId) and.push({ taskId: f.taskId });
  if (f.clientId) and.push({ clientId: f.clientId });
  if (f.documentIds) and.push({ documentId: { in: f.documentIds } });
  return and.length ? { AND: and } : {};
}

export interface RetriedDocuments {
  /** failed decisions the request matched */
  matched: number;
  /** tasks created now (a decision whose retry task for this failure exists already gets none) */
  tasksCreated: number;
}

/** Retries the matching failed decisions (at most MAX_RETRY_DOCUMENTS): one DOWNLOAD task per decision. */
export async function retryFailedDocuments(
  actor: Actor | null,
  filter: FailedDocumentFilter | null | undefined,
): Promise<RetriedDocuments> {
  requireAdmin(actor);
  const where = failedDocumentWhere(filter);
  if (!where.AND) throw badInput('filter: give document ids or at least one condition');
  const matched = await prisma.failedDocument.count({ where });
  if (matched > MAX_RETRY_DOCUMENTS)
    throw badInput(`${matched} failed documents match; at most ${MAX_RETRY_DOCUMENTS} per retry: narrow the filter`);
  const docs = await prisma.failedDocument.findMany({ where, select: { documentId: true, failures: true } });
  if (docs.length === 0) return { matched: 0, tasksCreated: 0 };
  const keyOf = (d: { documentId: string; failures: number }) => `failed-document:${d.documentId}:${d.failures}`;
  const created = await insertTasks(
    docs.map((d) => ({
      kind: 'DOWNLOAD' as const,
      searchParams: { RegNumber: d.documentId },
      startPage: 1,
      maxDocuments: 1,
      priority: 0,
      runAt: null,
      maxAttempts: policy.maxAttempts,
      dedupKey: keyOf(d),
      parentId: null,
    })),
  );
  const byKey = new Map(created.map((t) => [t.dedupKey, t.id]));
  const pairs = docs.flatMap((d) => {
    const taskId = byKey.get(keyOf(d));
    return taskId ? [{ documentId: d.documentId, taskId }] : [];
  });
  if (pairs.length) await setFailedDocumentRetries(pairs);
  return { matched, tasksCreated: created.length };
}
