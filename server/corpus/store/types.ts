// The document store's one small interface. A stored document is three parts — the decision HTML as the
// registry served it (the #txtdepository content), its plain text, and its metadata JSON — kept under the
// registry's document id and the sha256 of the HTML. Parts travel and rest gzip-compressed: the worker
// compresses once, the gate only verifies, and readers get the gzip bytes (or have them inflated on the way).
import type { Readable } from 'node:stream';

export type ContentPart = 'html' | 'text' | 'metadata';
export const CONTENT_PARTS: readonly ContentPart[] = ['html', 'text', 'metadata'];

/** Which stored version of which decision: the registry's id and the sha256 (hex) of its HTML. */
export interface ContentKey {
  documentId: string;
  sha256: string;
}

/** What a part is: size and sha256 of the uncompressed bytes, and the size it takes in the store (gzip). */
export interface PartInfo {
  size: number;
  sha256: string;
  storedSize: number;
}

export interface StoredPart extends PartInfo {
  /** the part's bytes, gzip-compressed; null: the part was uploaded to the store directly (it checks it is there) */
  gzip: Buffer | null;
}

export interface DocumentContent extends ContentKey {
  parts: Record<ContentPart, StoredPart>;
}

export interface PartStream {
  info: PartInfo;
  /** gzip-compressed bytes */
  body: Readable;
}

/** A presigned request a worker sends itself, so the bytes go straight to the object store. */
export interface SignedUpload {
  url: string;
  method: 'PUT';
  /** send exactly these headers (they are part of the signature) */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface UploadToSign {
  key: ContentKey;
  part: ContentPart;
  info: PartInfo & { md5: string };
}

export interface ListedContent extends ContentKey {
  storedAt: Date;
}

export interface DocumentStore {
  /** as in documents.storage */
  readonly kind: 'DATABASE' | 'S3';
  /** for logs and the start banner (no secrets) */
  readonly label: string;
  /**
   * Stores documents' parts; storing a key that is there already changes nothing. An upload to the database
   * store does not call this: it writes content and record in one statement (store-database-documents.ts);
   * an object store has no transaction to join and writes at once (its uploads are tracked in
   * document_uploads, see orphans.ts).
   */
  put(contents: DocumentContent[]): Promise<void>;
  /** A part's facts as the store reports them, or null when it is not there. */
  head(key: ContentKey, part: ContentPart): Promise<PartInfo | null>;
  /** A part's gzip bytes as a stream, or null. */
  get(key: ContentKey, part: ContentPart): Promise<PartStream | null>;
  /** All three parts are there. */
  exists(key: ContentKey): Promise<boolean>;
  /** Removes all parts of a version (absent ones are fine). */
  delete(keys: ContentKey[]): Promise<void>;
  /** Every stored version, in key order (for audits and the orphan sweep of stores without upload records). */
  list(options?: { afterDocumentId?: string }): AsyncIterable<ListedContent>;
  /**
   * Object stores only: presigned PUTs (one per request, in order), so a worker uploads those parts without
   * the gate; the uploads are recorded first, in one statement.
   */
  signUploads?(requests: UploadToSign[]): Promise<SignedUpload[]>;
  close(): Promise<void>;
}

/** The HTML's sha256 names the version; every part is checked against its own sha256 and size. */
export const keyOf = (content: ContentKey): ContentKey => ({ documentId: content.documentId, sha256: content.sha256 });
