/**
 * One batch to the gate. Usually one request: every part (gzip) through the gate, which answers each
 * document stored or present. When the gate said it wants HTML straight in its object store (presigned PUTs,
 * so the bulk bypasses the gate): prepare (what the gate still needs, and the PUTs), PUT the HTML, then send
 * the remaining parts through the gate.
 * Returns each document's final answer: stored, present, retry or rejected. Throws a GateCallError when the
 * gate or the store could not be reached (nothing is lost: send the batch again later).
 */
import PQueue from 'p-queue';
import type { ContentClient, UploadOutcome } from './content-client.ts';
import type { PackedDocument } from './pack.ts';

const PARALLEL_PUTS = 8;

export async function uploadBatch(
  client: ContentClient,
  documents: PackedDocument[],
  clientId?: string | null,
): Promise<Map<string, UploadOutcome>> {
  const answers = new Map<string, UploadOutcome>();
  if (documents.length === 0) return answers;
  if (!client.directUploads) {
    const stored = await client.store(documents, clientId);
    for (const outcome of stored.documents) answers.set(outcome.documentId, outcome);
    return answers;
  }
  const byId = new Map(documents.map((d) => [d.documentId, d]));
  const prepared = await client.prepare(documents, clientId);
  const toSend: PackedDocument[] = [];
  const direct = new Set<string>();
  const puts = new PQueue({ concurrency: PARALLEL_PUTS });
  const putting: Array<Promise<void>> = [];
  for (const outcome of prepared.documents) {
    const document = byId.get(outcome.documentId);
    if (outcome.status !== 'upload' || !document) {
      answers.set(outcome.documentId, outcome);
      continue;
    }
    toSend.push(document);
    if (outcome.put) {
      const put = outcome.put;
      direct.add(document.documentId);
      putting.push(puts.add(() => client.putDirect(put, document.parts.html.gzip)));
    }
  }
  // All settle before a failure is thrown, so no PUT is left running behind the caller's back.
  const failed = (await Promise.allSettled(putting)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (toSend.length > 0) {
    const stored = await client.store(toSend, clientId, direct);
    for (const outcome of stored.documents) answers.set(outcome.documentId, outcome);
  }
  return answers;
}
