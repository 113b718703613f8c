// Which rows of a results page this host already has on disk, so they are not fetched again: a decision waiting in
// the outbox (in memory or in its folder), or one in the local copy (`--output-dir`, then put into the outbox so
// it goes up to the gate: the worker that fetched it lost its lease or died before uploading it).
import { documentIdsIn, type Outbox } from '../corpus/outbox.ts';
import { copyDocument, readCompleteDocument } from './files.ts';

/**
 * For each id, whether it is on disk (see above). The checks run together, and the outbox folder is listed once
 * for the page: a failed open per row (the usual answer: the outbox holds its documents in memory while the store
 * answers) cost a thread-pool round trip and an error each.
 */
export async function documentsOnDisk(
  outbox: Outbox,
  outputDir: string | null,
  documentIds: string[],
): Promise<boolean[]> {
  if (documentIds.length === 0) return [];
  const outboxFolders = new Set(await documentIdsIn(outbox.dir));
  const onDisk = async (documentId: string): Promise<boolean> => {
    if (outbox.holds(documentId)) return true;
    if (outboxFolders.has(documentId) && (await readCompleteDocument(outbox.dir, documentId))) return true;
    if (!outputDir || !(await readCompleteDocument(outputDir, documentId))) return false;
    await copyDocument(outputDir, outbox.dir, documentId);
    outbox.added(documentId);
    return true;
  };
  return Promise.all(documentIds.map(onDisk));
}
