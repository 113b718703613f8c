/**
 * `reyestr documents import DIR`: uploads a folder of decisions to the gate's document store — this project's
 * layout (`<id>/<id>.html|.txt|.json`) or the older system's (`<id>/<id>_<id>.html`, `<id>_<id>_print.html`).
 * What the gate has is skipped before any file is read (knownDocumentIds), so a run stopped by Ctrl-C goes on
 * where it stopped when started again; the upload protocol is the worker's (client/corpus/upload.ts).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GateClient } from '../gate/client.ts';
import type { Logger } from '../worker/log.ts';
import { persist } from '../worker/retry.ts';
import type { ContentClient } from './content-client.ts';
import { documentIdsIn } from './outbox-folder.ts';
import { packFromOlderLayout, packFromWorkerLayout, type PackedDocument, UnreadableDocument } from './pack.ts';
import { uploadBatch } from './upload.ts';

export interface ImportOptions {
  dir: string;
  gate: GateClient;
  content: ContentClient;
  log: Logger;
  /** registry base URL for the source URL of older-layout pages */
  registryUrl: string;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

export interface ImportSummary {
  found: number;
  stored: number;
  present: number;
  rejected: Array<{ documentId: string; reason: string }>;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** A document of either layout, packed for upload. */
async function pack(dir: string, documentId: string, registryUrl: string): Promise<PackedDocument> {
  const folder = join(dir, documentId);
  if (await exists(join(folder, `${documentId}.json`))) return packFromWorkerLayout(dir, documentId);
  if (await exists(join(folder, `${documentId}_${documentId}.html`)))
    return packFromOlderLayout(folder, documentId, registryUrl);
  throw new UnreadableDocument(`${folder}: neither <id>.json nor <id>_<id>.html is there`);
}

export async function importFolder(options: ImportOptions): Promise<ImportSummary> {
  const { dir, gate, content, log, signal } = options;
  const ids = (await documentIdsIn(dir)).sort();
  const summary: ImportSummary = { found: ids.length, stored: 0, present: 0, rejected: [] };
  let done = 0;
  const progress = () => options.onProgress?.(done, ids.length);
  progress();
  const send = <T>(what: string, call: () => Promise<T>) => persist(call, { log, what, signal });
  const size = options.batchSize ?? 25;
  for (let i = 0; i < ids.length && !signal?.aborted; i += 1000) {
    const slice = ids.slice(i, i + 1000);
    const known = new Set(await send('knownDocumentIds', () => gate.knownDocumentIds(slice)));
    summary.present += known.size;
    done += known.size;
    progress();
    const todo = slice.filter((id) => !known.has(id));
    for (let j = 0; j < todo.length && !signal?.aborted; j += size) {
      const batch: PackedDocument[] = [];
      for (const id of todo.slice(j, j + size)) {
        try {
          batch.push(await pack(dir, id, options.registryUrl));
        } catch (error) {
          if (!(error instanceof UnreadableDocument)) throw error;
          summary.rejected.push({ documentId: id, reason: error.message });
          done++;
        }
      }
      let pending = batch;
      // The gate may ask for an upload again (a presigned URL expired meanwhile): a few rounds, then it is a failure.
      for (let round = 0; pending.length > 0 && round < 3; round++) {
        const answers = await send('upload', () => uploadBatch(content, pending, null));
        const again: PackedDocument[] = [];
        for (const document of pending) {
          const answer = answers.get(document.documentId);
          if (answer?.status === 'stored' || answer?.status === 'present') summary[answer.status]++;
          else if (answer?.status === 'retry' && round < 2) again.push(document);
          else
            summary.rejected.push({
              documentId: document.documentId,
              reason: answer ? `${answer.code ?? answer.status}: ${answer.reason ?? ''}` : 'no answer',
            });
          if (!again.includes(document)) done++;
        }
        pending = again;
        progress();
      }
    }
  }
  return summary;
}
