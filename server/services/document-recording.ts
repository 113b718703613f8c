// Recording verified uploads (document-upload.ts checked them): their content put into the store and the
// documents recorded with their typed metadata, all parts of a document or none.
//   database store: content, record and the failed_documents rows cleared are one statement
//     (db/sql/store-database-documents.ts), so they commit together with no transaction round trips;
//   object store: the objects are written first (each version's upload recorded before its objects, see
//     corpus/orphans.ts), then one transaction holds the upload records' locks, checks the HTML a worker PUT
//     itself (HEAD: there, with the announced size and MD5) and records.
import type { TypedDocumentMetadata } from '../../client/rules/index.ts';
import { prisma } from '../db/database.ts';
import { lockUploads } from '../db/sql/document-uploads.ts';
import type { StoredDocumentRow } from '../db/sql/record-stored-documents.ts';
import { recordUploadedDocuments } from '../db/sql/record-uploaded-documents.ts';
import { storeDatabaseDocuments } from '../db/sql/store-database-documents.ts';
import { removeLocked } from '../corpus/orphans.ts';
import { contentRows } from '../corpus/store/database.ts';
import { CONTENT_PARTS, type DocumentContent, type DocumentStore, type PartInfo } from '../corpus/store/types.ts';

/** An uploaded document whose parts were checked against their sizes and sha256. */
export interface Verified {
  document: {
    documentId: string;
    taskId?: string | null;
    fetchedAt?: string | null;
    parts: Record<'html' | 'text' | 'metadata', PartInfo & { md5?: string }>;
  };
  content: DocumentContent;
  /** the metadata JSON as sent */
  metadata: Record<string, unknown>;
  /** flattened into what documents.metadata holds */
  recordedMetadata: Record<string, unknown>;
  typed: TypedDocumentMetadata;
}

export type RecordingOutcome = { status: 'stored' | 'present' } | { status: 'retry'; reason: string };

/** Stores and records verified documents; the outcome of each, by registry id. */
export async function recordVerified(
  store: DocumentStore,
  verified: Verified[],
  clientId: string | null,
): Promise<Map<string, RecordingOutcome>> {
  const outcomes = new Map<string, RecordingOutcome>();
  if (verified.length === 0) return outcomes;
  if (store.kind === 'DATABASE') {
    const recorded = new Set(
      await storeDatabaseDocuments(
        contentRows(verified.map((v) => v.content)),
        verified.map((v) => storedRow(v, clientId, store.kind)),
      ),
    );
    for (const { document: d } of verified)
      outcomes.set(d.documentId, { status: recorded.has(d.documentId) ? 'stored' : 'present' });
    return outcomes;
  }
  await store.put(verified.map((v) => v.content));
  await prisma.$transaction(
    async (tx) => {
      let ready = verified;
      // Under the upload records' locks the sweeper cannot remove these objects: what is there now stays.
      const held = new Set(
        (
          await lockUploads(
            tx,
            ready.map((v) => v.content),
          )
        ).map((k) => k.documentId),
      );
      // No upload record: another batch recorded the decision meanwhile (it deletes the record), or it expired.
      const unheld = ready.map((v) => v.document.documentId).filter((id) => !held.has(id));
      const recordedMeanwhile = new Set(
        unheld.length === 0
          ? []
          : (
              await tx.document.findMany({
                where: { documentId: { in: unheld }, storedAt: { not: null } },
                select: { documentId: true },
              })
            ).map((d) => d.documentId),
      );
      for (const id of recordedMeanwhile) outcomes.set(id, { status: 'present' });
      ready = ready.filter((v) => !recordedMeanwhile.has(v.document.documentId));
      const missing = await Promise.all(
        ready.map((v) =>
          !held.has(v.document.documentId)
            ? 'the upload expired and was removed as an orphan (upload it again)'
            : v.content.parts.html.gzip
              ? null
              : notUploaded(store, v.document),
        ),
      );
      ready.forEach((v, i) => {
        if (missing[i]) outcomes.set(v.document.documentId, { status: 'retry', reason: missing[i] });
      });
      ready = ready.filter((_, i) => !missing[i]);
      // Recorded, failed_documents rows cleared and the recorded versions' upload records deleted: one statement.
      const recorded = new Set(
        await recordUploadedDocuments(
          tx,
          ready.map((v) => storedRow(v, clientId, store.kind)),
        ),
      );
      // Not recorded: another version of the decision was recorded first. Its objects are no one's, and with its
      // upload record deleted the sweeper would never find them: they go now, under the records' locks (a
      // version the documents table records — the same sha256 — is never touched).
      await removeLocked(
        tx,
        store,
        await lockUploads(
          tx,
          ready.filter((v) => !recorded.has(v.document.documentId)).map((v) => v.content),
        ),
      );
      for (const { document: d } of ready)
        outcomes.set(d.documentId, { status: recorded.has(d.documentId) ? 'stored' : 'present' });
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  return outcomes;
}

/**
 * Why the HTML a worker PUT to the object store itself is not usable (yet), or null when it is there with
 * the size, sha256 and MD5 (the ETag the store computed from the bytes it holds) that were announced.
 */
async function notUploaded(store: DocumentStore, d: Verified['document']): Promise<string | null> {
  const info = d.parts.html;
  const head = await store.head({ documentId: d.documentId, sha256: info.sha256 }, 'html');
  if (!head) return 'html: not in the object store (upload it, then send the batch again)';
  const md5 = (head as { md5?: string }).md5;
  const same =
    head.storedSize === info.storedSize &&
    head.sha256 === info.sha256 &&
    head.size === info.size &&
    (!md5 || !info.md5 || md5 === info.md5);
  return same ? null : 'html: the object in the store is not what was announced (upload it again)';
}

function storedRow(v: Verified, clientId: string | null, storage: 'DATABASE' | 'S3'): StoredDocumentRow {
  const { document: d, content, metadata } = v;
  const fetchedAt = d.fetchedAt ?? (typeof metadata.fetchedAt === 'string' ? metadata.fetchedAt : null);
  // The typed metadata as its own object, not spread into the row: a literal of fixed keys is one allocation.
  return {
    documentId: d.documentId,
    metadata: v.recordedMetadata,
    typed: v.typed,
    taskId: d.taskId ?? null,
    clientId,
    sha256: content.sha256,
    sizeBytes: d.parts.html.size,
    fetchedAt: fetchedAt && !Number.isNaN(Date.parse(fetchedAt)) ? fetchedAt : new Date().toISOString(),
    storage,
    textSha256: d.parts.text.sha256,
    textSizeBytes: d.parts.text.size,
    storedBytes: CONTENT_PARTS.reduce((sum, part) => sum + d.parts[part].storedSize, 0),
  };
}
