// Storing decisions' content, in two calls a worker (or `reyestr documents import`) makes per batch:
//   prepareUploads: which documents the gate still needs, and — with an object store — a presigned PUT for
//     each one's HTML, so the bulk goes straight to the store;
//   storeDocuments: the parts (gzip) that travel through the gate; each document is verified here, its content
//     stored and it is recorded with its typed metadata, all parts or none (document-recording.ts); the search
//     indexer indexes its text once uploads pause (search-indexer.ts). A document is recorded (and counts as downloaded)
//     only once all of its content is in the store.
// Each document gets its own answer: stored, present (the gate had it), upload (prepare), retry (something
// transient: upload it again), or rejected with a code and a reason (bad content, a task not held).
import { z } from 'zod';
import { typedMetadataOf } from '../../client/rules/index.ts';
import { uploadChecks } from '../db/sql/upload-checks.ts';
import { corpusLimits, documentStore } from '../corpus/store/index.ts';
import { discardUploads } from '../corpus/orphans.ts';
import {
  CONTENT_PARTS,
  type ContentKey,
  type ContentPart,
  type DocumentContent,
  type SignedUpload,
} from '../corpus/store/types.ts';
import { checkDeclaredSize, ContentRejected, inflateVerified } from '../corpus/verify.ts';
import { requireActor, type Actor } from './actor.ts';
import { recordVerified, type Verified } from './document-recording.ts';
import { indexAfterUploads } from './search-indexer.ts';
import { contentWriteRefusals, writingClient } from './document-writers.ts';
import { GateError, parseInput } from './errors.ts';

export const MAX_UPLOAD_BATCH = 200;

const partInfo = z.object({
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex sha256'),
  storedSize: z.number().int().min(1),
  /** base64 MD5 of the gzip bytes: signed into a presigned PUT, compared with the object's ETag */
  md5: z
    .string()
    .regex(/^[A-Za-z0-9+/]{22}==$/, 'must be a base64 MD5')
    .optional(),
});

const uploadedDocument = z.object({
  documentId: z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, 'must be the registry document id (digits)'),
  taskId: z.string().uuid('must be a UUID').nullish(),
  fetchedAt: z.iso.datetime({ offset: true }).nullish(),
  parts: z.object({ html: partInfo, text: partInfo, metadata: partInfo }),
});
export type UploadedDocument = z.infer<typeof uploadedDocument>;

const uploadBatch = z.object({
  clientId: z.string().uuid('must be a UUID').nullish(),
  documents: z.array(uploadedDocument).min(1).max(MAX_UPLOAD_BATCH),
});
export type UploadBatch = z.input<typeof uploadBatch>;

export type UploadOutcome =
  | { documentId: string; status: 'stored' | 'present' }
  | { documentId: string; status: 'upload'; put?: SignedUpload }
  | { documentId: string; status: 'retry'; reason: string }
  | { documentId: string; status: 'rejected'; code: string; reason: string };

export interface UploadAnswer {
  storage: 'DATABASE' | 'S3';
  /** HTML should go straight to the object store by presigned PUT (prepare first); else all parts come here */
  directUploads: boolean;
  /** the parts may come as the one file `parts` (see PARTS_FILE) instead of a file each */
  partsFile: true;
  documents: UploadOutcome[];
}

/**
 * The client the batch is attributed to, and which documents the caller may write; the others are answered
 * (refused, or the gate has them). One statement (upload-checks.ts) answers all of it.
 */
async function triage(actor: Actor, batch: z.output<typeof uploadBatch>) {
  const checks = await uploadChecks(
    batch.documents.map((d) => d.documentId),
    [...new Set(batch.documents.flatMap((d) => (d.taskId ? [d.taskId] : [])))],
    actor.keyId,
    batch.clientId ?? null,
  );
  const clientId = writingClient(actor, batch.clientId, checks.client);
  const answered = new Map<string, UploadOutcome>();
  const refusals = contentWriteRefusals(
    actor,
    batch.documents.map((d) => d.taskId),
    checks,
  );
  for (const d of batch.documents) {
    const refusal = refusals.get(d.taskId ?? '');
    if (refusal) answered.set(d.documentId, { documentId: d.documentId, status: 'rejected', ...refusal });
    else if (checks.stored.has(d.documentId))
      answered.set(d.documentId, { documentId: d.documentId, status: 'present' });
  }
  const rest = batch.documents.filter((d) => !answered.has(d.documentId));
  return { clientId, answered, rest };
}

const rejected = (documentId: string, error: unknown): UploadOutcome => {
  if (!(error instanceof ContentRejected)) throw error;
  return { documentId, status: 'rejected', code: 'BAD_USER_INPUT', reason: error.message };
};

const inOrder = (batch: { documents: Array<{ documentId: string }> }, answers: Map<string, UploadOutcome>) =>
  batch.documents.map((d) => answers.get(d.documentId)!);

export async function prepareUploads(actorOrNull: Actor | null, input: UploadBatch): Promise<UploadAnswer> {
  const actor = requireActor(actorOrNull);
  const batch = parseInput(uploadBatch, input);
  const { answered, rest } = await triage(actor, batch);
  const store = documentStore;
  const toSign: UploadedDocument[] = [];
  for (const d of rest) {
    try {
      for (const part of CONTENT_PARTS) checkDeclaredSize(part, d.parts[part], corpusLimits.maxDocumentBytes);
      if (store.signUploads && !d.parts.html.md5) throw new ContentRejected('html: md5 is needed for a direct upload');
      if (store.signUploads) toSign.push(d);
      else answered.set(d.documentId, { documentId: d.documentId, status: 'upload' });
    } catch (error) {
      answered.set(d.documentId, rejected(d.documentId, error));
    }
  }
  if (store.signUploads && toSign.length > 0) {
    const puts = await store.signUploads(
      toSign.map((d) => ({
        key: { documentId: d.documentId, sha256: d.parts.html.sha256 },
        part: 'html' as const,
        info: { ...d.parts.html, md5: d.parts.html.md5! },
      })),
    );
    for (const [i, d] of toSign.entries())
      answered.set(d.documentId, { documentId: d.documentId, status: 'upload', put: puts[i] });
  }
  return answer(batch, answered);
}

const answer = (batch: z.output<typeof uploadBatch>, answered: Map<string, UploadOutcome>): UploadAnswer => ({
  storage: documentStore.kind,
  directUploads: !!documentStore.signUploads,
  partsFile: true,
  documents: inOrder(batch, answered),
});

/**
 * The name of the one file that may carry every part of a batch instead of a file each: each document's html,
 * text and metadata, in the manifest's order, each exactly its announced `storedSize` bytes. One file costs the
 * multipart parser one stream instead of three per document (docs/benchmarks.md, issue 12).
 */
export const PARTS_FILE = 'parts';

/** The parts of a batch sent as PARTS_FILE, split by their announced sizes into a file each (views, no copies). */
function splitPartsFile(batch: z.output<typeof uploadBatch>, files: ReadonlyMap<string, Buffer>): Map<string, Buffer> {
  const parts = files.get(PARTS_FILE)!;
  if (files.size > 1)
    throw new GateError('BAD_USER_INPUT', `the file "${PARTS_FILE}" carries every part: send no other files with it`);
  const split = new Map<string, Buffer>();
  let offset = 0;
  for (const d of batch.documents)
    for (const part of CONTENT_PARTS) {
      const end = offset + d.parts[part].storedSize;
      split.set(partFileName(d.documentId, part), parts.subarray(offset, end));
      offset = end;
    }
  if (offset !== parts.length)
    throw new GateError(
      'BAD_USER_INPUT',
      `the file "${PARTS_FILE}" holds ${parts.length} bytes; the manifest's parts (storedSize) add up to ${offset}`,
    );
  return split;
}

/** Inflates and checks what arrived; a part uploaded to the store directly is checked there, later. */
function verify(d: UploadedDocument, files: ReadonlyMap<string, Buffer>): Verified {
  const key = { documentId: d.documentId, sha256: d.parts.html.sha256 };
  const limit = corpusLimits.maxDocumentBytes;
  const parts = {} as DocumentContent['parts'];
  let metadataBytes: Buffer | null = null;
  for (const part of CONTENT_PARTS) {
    const info = d.parts[part];
    const gzip = files.get(partFileName(d.documentId, part));
    if (gzip) {
      // Inflated on the event loop: for parts of a few kB, zlib's thread pool costs more than it saves.
      const plain = inflateVerified(part, gzip, info, limit);
      if (part === 'metadata') metadataBytes = plain;
      parts[part] = { ...info, gzip };
    } else if (part === 'html' && documentStore.signUploads) {
      checkDeclaredSize(part, info, limit); // the object itself is checked in the recording transaction
      parts[part] = { ...info, gzip: null };
    } else {
      throw new ContentRejected(`${part}: missing (send it as the file ${partFileName(d.documentId, part)})`);
    }
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(metadataBytes!.toString('utf8'));
  } catch {
    throw new ContentRejected('metadata: not JSON');
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw new ContentRejected('metadata: must be a JSON object');
  const named = (metadata as { documentId?: unknown }).documentId;
  if (named !== undefined && String(named) !== d.documentId)
    throw new ContentRejected(`metadata: names document ${String(named)}, not ${d.documentId}`);
  const recordedMetadata = documentsMetadata(metadata as Record<string, unknown>);
  return {
    document: d,
    content: { ...key, parts },
    metadata: metadata as Record<string, unknown>,
    recordedMetadata,
    typed: typedMetadataOf(recordedMetadata, { documentId: d.documentId }),
  };
}

/** `<id>.html`, `<id>.text`, `<id>.metadata`: the name each part travels under in a multipart batch. */
export const partFileName = (documentId: string, part: ContentPart) => `${documentId}.${part}`;

/** The JSON a worker writes as `<id>.json`, flattened into what documents.metadata has always held. */
function documentsMetadata(record: Record<string, unknown>): Record<string, unknown> {
  const { row, decision, sourceUrl } = record as { row?: unknown; decision?: unknown; sourceUrl?: unknown };
  if (row === undefined && decision === undefined) return record;
  return {
    ...((row as Record<string, unknown> | null) ?? {}),
    ...((decision as Record<string, unknown> | null) ?? {}),
    ...(sourceUrl ? { sourceUrl } : {}),
  };
}

export async function storeDocuments(
  actorOrNull: Actor | null,
  input: UploadBatch,
  sent: ReadonlyMap<string, Buffer>,
): Promise<UploadAnswer> {
  const actor = requireActor(actorOrNull);
  const batch = parseInput(uploadBatch, input);
  const files = sent.has(PARTS_FILE) ? splitPartsFile(batch, sent) : sent;
  const { clientId, answered, rest } = await triage(actor, batch);
  const store = documentStore;
  const verified: Verified[] = [];
  const refusedAfterUpload: ContentKey[] = [];
  for (const d of rest) {
    try {
      verified.push(verify(d, files));
    } catch (error) {
      answered.set(d.documentId, rejected(d.documentId, error));
      if (!files.has(partFileName(d.documentId, 'html')) && store.signUploads)
        refusedAfterUpload.push({ documentId: d.documentId, sha256: d.parts.html.sha256 });
    }
  }
  for (const [documentId, outcome] of await recordVerified(store, verified, clientId))
    answered.set(documentId, { documentId, ...outcome });
  // Committed: the new documents are queued for the search indexer (the queue is the documents table); it
  // drains once uploads pause, so indexing does not hold up the next batches' answers.
  indexAfterUploads();
  // HTML a worker PUT for a document refused afterwards goes now; should this fail, the sweeper removes it later.
  await discardUploads(store, refusedAfterUpload).catch(() => {});
  return answer(batch, answered);
}
