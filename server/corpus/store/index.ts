// The document store: where decisions' content is kept. One small interface (types.ts), two stores — the
// gate's database (default, database.ts) and S3-compatible object storage (s3.ts) — chosen by DOCUMENT_STORE.
// Like the Prisma client, the open store is a module-level live binding the services import.
// The S3 store (and with it the AWS SDK, ~25 MB of resident code) is imported only when DOCUMENT_STORE asks
// for it: a gate that keeps documents in its database never loads it.
import { type CorpusLimits, DEFAULT_CORPUS_LIMITS, type DocumentStoreConfig } from './config.ts';
import { DatabaseStore } from './database.ts';
import type { DocumentStore } from './types.ts';

export * from './types.ts';
export { DatabaseStore } from './database.ts';

export let documentStore: DocumentStore = new DatabaseStore();
export let corpusLimits: CorpusLimits = DEFAULT_CORPUS_LIMITS;

export async function openDocumentStore(
  config: DocumentStoreConfig = { kind: 'database' },
  limits: Partial<CorpusLimits> = {},
): Promise<DocumentStore> {
  corpusLimits = { ...DEFAULT_CORPUS_LIMITS, ...limits };
  if (config.kind === 's3') {
    const { S3Store } = await import('./s3.ts');
    documentStore = new S3Store(config, corpusLimits.uploadUrlSeconds);
  } else documentStore = new DatabaseStore();
  return documentStore;
}

export async function closeDocumentStore(): Promise<void> {
  const current = documentStore;
  documentStore = new DatabaseStore();
  await current.close();
}
