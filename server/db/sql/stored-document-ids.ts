// Which of these registry ids the gate has stored (content recorded), on the driver directly: every upload
// batch asks it first, to answer `present` without verifying or writing anything.
import { Prisma } from '../../generated/prisma/client.ts';
import { run } from '../database.ts';

export async function storedDocumentIds(documentIds: string[]): Promise<Set<string>> {
  if (documentIds.length === 0) return new Set();
  const rows = await run<{ documentId: string }>(Prisma.sql`
    SELECT document_id AS "documentId" FROM documents
    WHERE document_id = ANY(${documentIds}::text[]) AND stored_at IS NOT NULL`);
  return new Set(rows.map((r) => r.documentId));
}
