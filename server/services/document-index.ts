// The one call the document store makes when a decision's content has been stored: whatever is derived from
// a decision's text and metadata (typed columns, the full-text index — issue 13) is filled here, in the
// transaction that records the document, so a document is searchable exactly when it is stored.
// Until search lands this is deliberately empty.
import type { Prisma } from '../generated/prisma/client.ts';

export interface DocumentToIndex {
  /** the registry's id */
  documentId: string;
  /** the decision's plain text (header lines, then the decision) */
  text: string;
  /** the document's metadata JSON as the worker wrote it (`<id>.json`: row, decision header, source URL…) */
  metadata: Record<string, unknown>;
}

export async function indexDocumentContent(_tx: Prisma.TransactionClient, _document: DocumentToIndex): Promise<void> {}
