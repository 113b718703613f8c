// Which small task now retries each failed decision (failed_documents.retry_task_id), in one statement.
import { prisma } from '../database.ts';

export function setFailedDocumentRetries(pairs: Array<{ documentId: string; taskId: string }>) {
  return prisma.$executeRaw`
    UPDATE failed_documents f SET retry_task_id = r.task_id
    FROM unnest(${pairs.map((p) => p.documentId)}::text[], ${pairs.map((p) => p.taskId)}::uuid[]) AS r(document_id, task_id)
    WHERE f.document_id = r.document_id`;
}
