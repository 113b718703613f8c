// The document store: where decisions' content is kept. One small interface (types.ts), two stores — the
// gate's database (default, database.ts) and S3-compatible object storage (s3.ts) — chosen by DOCUMENT_STORE.
// Like the Prisma client, the open store is a module-level live binding the services import.
import { DEFAULT_CORPUS_LIMITS, type CorpusLimits, type DocumentStoreConfig } from '../../config.ts';
import { DatabaseStore } from './database.ts';
import { S3Store } from './s3.ts';
import type { DocumentStore } from './types.ts';

export * from './types.ts';
export { DatabaseStore } from './database.ts';
export { S3Store } from './s3.ts';

export let documentStore: DocumentStore = new DatabaseStore();
export let corpusLimits: CorpusLimits = DEFAULT_CORPUS_LIMITS;

export function openDocumentStore(
  config: DocumentStoreConfig = { kind: 'database' },
  limits: Partial<CorpusLimits> = {},
): DocumentStore {
  corpusLimits = { ...DEFAULT_CORPUS_LIMITS, ...limits };
  documentStore = config.kind === 's3' ? new S3Store(config, corpusLimits.uploadUrlSeconds) : new DatabaseStore();
  return documentStore;
}

export async function closeDocumentStore(): Promise<void> {
  const current = documentStore;
  documentStore = new DatabaseStore();
  await current.close();
}
