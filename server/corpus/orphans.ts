// Orphans of the object store: objects of a version that was never recorded — a worker PUT the HTML and
// never confirmed (killed, or the gate refused the batch), a gate crashed between its PUTs and the record,
// or another version of the decision was recorded first. They are found without listing the bucket: every
// write to the object store is preceded by an upload record (document_uploads), the recording transaction
// deletes it, so an upload record older than the grace period names an orphan. Removal holds the record's
// row lock (a recording transaction holding it is skipped, and one that comes later finds the record gone
// and asks the worker to upload again), and never touches a version the documents table records.
// The database store needs none of this: its content commits with the record.
import { prisma } from '../db/database.ts';
import { deleteUploads, lockExpiredUploads, lockUploads, type UploadRecord } from '../db/sql/document-uploads.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { ContentKey, DocumentStore } from './store/types.ts';

/** Removes the objects of the locked upload records whose version is not recorded, then the records. */
export async function removeLocked(tx: Prisma.TransactionClient, store: DocumentStore, locked: UploadRecord[]) {
  // Objects first, then the records: a crash in between leaves the records, and the next pass finishes.
  await store.delete(locked.filter((u) => !u.recorded));
  await deleteUploads(tx, locked);
  return locked.filter((u) => !u.recorded).length;
}

/** One sweep: removes the objects of uploads not recorded within the grace period; returns how many versions. */
export async function sweepOrphanUploads(store: DocumentStore, graceSeconds: number, batch = 500): Promise<number> {
  let removed = 0;
  for (;;) {
    const { count, more } = await prisma.$transaction(
      async (tx) => {
        const locked = await lockExpiredUploads(tx, graceSeconds, batch);
        return { count: await removeLocked(tx, store, locked), more: locked.length === batch };
      },
      { timeout: 120_000 },
    );
    removed += count;
    if (!more) return removed;
  }
}

/** At once, for versions the gate refused after their HTML was uploaded: their objects go now, not after the grace. */
export async function discardUploads(store: DocumentStore, keys: ContentKey[]): Promise<void> {
  if (keys.length === 0) return;
  await prisma.$transaction(async (tx) => removeLocked(tx, store, await lockUploads(tx, keys)), { timeout: 60_000 });
}
