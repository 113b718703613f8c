// What an upload batch (prepare or store) needs to know before it verifies anything, in one statement on the driver:
// which of its documents the gate has stored, which of the tasks it names exist and were ever leased to a worker
// of the caller's key (the current lease, or an earlier one recorded by a CLAIMED event), and the client it names.
// One round trip per batch instead of one per question (and the client's row no longer through Prisma).
import { Prisma } from '../../generated/prisma/client.ts';
import type { ClientStatus } from '../../generated/prisma/enums.ts';
import { run } from '../database.ts';

export interface UploadChecks {
  /** of the batch's documents, those stored (content recorded) */
  stored: Set<string>;
  /** of the tasks named, those that exist */
  existing: Set<string>;
  /** of the tasks named, those ever leased to a worker registered with `keyId` (none without a key) */
  leased: Set<string>;
  /** the client named, when there is one by that id */
  client: { id: string; apiKeyId: string | null; status: ClientStatus } | null;
}

export async function uploadChecks(
  documentIds: string[],
  taskIds: string[],
  keyId: string | null,
  clientId: string | null,
): Promise<UploadChecks> {
  const [row] = await run<{
    stored: string[];
    existing: string[];
    leased: string[];
    clientId: string | null;
    clientKey: string | null;
    clientStatus: ClientStatus;
  }>(Prisma.sql`
    SELECT
      ARRAY(SELECT document_id FROM documents
            WHERE document_id = ANY(${documentIds}::text[]) AND stored_at IS NOT NULL) AS stored,
      ARRAY(SELECT id::text FROM tasks WHERE id = ANY(${taskIds}::uuid[])) AS existing,
      ARRAY(SELECT t.id::text FROM tasks t JOIN clients c ON c.id = t.lease_holder_id
            WHERE t.id = ANY(${taskIds}::uuid[]) AND c.api_key_id = ${keyId}::uuid
            UNION
            SELECT e.task_id::text FROM task_events e JOIN clients c ON c.id = e.client_id
            WHERE e.task_id = ANY(${taskIds}::uuid[]) AND e.type = 'CLAIMED' AND c.api_key_id = ${keyId}::uuid) AS leased,
      c.id::text AS "clientId", c.api_key_id::text AS "clientKey", c.status::text AS "clientStatus"
    FROM (SELECT 1) AS one LEFT JOIN clients c ON c.id = ${clientId}::uuid`);
  return {
    stored: new Set(row.stored),
    existing: new Set(row.existing),
    leased: new Set(row.leased),
    client: row.clientId ? { id: row.clientId, apiKeyId: row.clientKey, status: row.clientStatus } : null,
  };
}
