/**
 * A decision ready to upload: its three parts (HTML, text, metadata JSON) gzip-compressed, with the size
 * and sha256 of each uncompressed part, the compressed size and its MD5 (for a presigned PUT). Read from a
 * folder in this project's layout (`<id>/<id>.html|.txt|.json`, what workers write) or built from the
 * older system's pages (`<id>/<id>_<id>.html`, the saved /Review page, plus `<id>_<id>_print.html`).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parsePage } from '../registry/parsers/index.ts';
import { htmlToTextLines } from '../registry/parsers/text.ts';
import { type DocumentRecord, documentPaths, sha256Hex } from '../worker/files.ts';

export type PartName = 'html' | 'text' | 'metadata';
export const PART_NAMES: readonly PartName[] = ['html', 'text', 'metadata'];

export interface PackedPart {
  size: number;
  sha256: string;
  storedSize: number;
  /** base64 MD5 of the gzip bytes */
  md5: string;
  gzip: Buffer;
}

export interface PackedDocument {
  documentId: string;
  taskId: string | null;
  fetchedAt: string | null;
  parts: Record<PartName, PackedPart>;
}

/** The manifest entry the gate's upload routes take (the parts' facts, without their bytes). */
export function manifestEntry(d: PackedDocument) {
  const info = (p: PackedPart) => ({ size: p.size, sha256: p.sha256, storedSize: p.storedSize, md5: p.md5 });
  return {
    documentId: d.documentId,
    taskId: d.taskId,
    fetchedAt: d.fetchedAt,
    parts: { html: info(d.parts.html), text: info(d.parts.text), metadata: info(d.parts.metadata) },
  };
}

/**
 * Compressed in this thread: zlib's async form costs far more CPU than the compression itself for parts this size
 * (a zlib stream per part and two thread hand-offs: ~0.5–0.8 ms vs ~0.05–0.3 ms for a document's three parts in
 * a micro-benchmark), and the worker's CPU per document is what bounds it against a fast registry.
 */
export function packPart(bytes: Buffer, sha256 = sha256Hex(bytes)): PackedPart {
  const compressed = gzipSync(bytes);
  return {
    size: bytes.length,
    sha256,
    storedSize: compressed.length,
    md5: createHash('md5').update(compressed).digest('base64'),
    gzip: compressed,
  };
}

export function packDocument(
  documentId: string,
  content: { html: Buffer; text: Buffer; metadata: Buffer; taskId?: string | null; fetchedAt?: string | null },
): PackedDocument {
  return {
    documentId,
    taskId: content.taskId ?? null,
    fetchedAt: content.fetchedAt ?? null,
    parts: { html: packPart(content.html), text: packPart(content.text), metadata: packPart(content.metadata) },
  };
}

/**
 * A document's three files in the worker layout, packed. `record`: what its `<id>.json` says — taskId and fetchedAt
 * travel with it, and its sha256 of the HTML (already computed, or checked against the bytes) is not hashed again.
 */
export function packWorkerFiles(
  documentId: string,
  files: { html: Buffer; text: Buffer; json: Buffer },
  record: Partial<Pick<DocumentRecord, 'taskId' | 'fetchedAt' | 'sha256'>>,
): PackedDocument {
  return {
    documentId,
    taskId: record.taskId ?? null,
    fetchedAt: record.fetchedAt ?? null,
    parts: { html: packPart(files.html, record.sha256), text: packPart(files.text), metadata: packPart(files.json) },
  };
}

export class UnreadableDocument extends Error {}

/** A document in the worker layout; UnreadableDocument when its files are incomplete or do not match. */
export async function packFromWorkerLayout(root: string, documentId: string): Promise<PackedDocument> {
  const paths = documentPaths(root, documentId);
  let html: Buffer;
  let text: Buffer;
  let json: Buffer;
  try {
    [html, text, json] = await Promise.all([readFile(paths.html), readFile(paths.text), readFile(paths.json)]);
  } catch (error) {
    throw new UnreadableDocument(`${paths.dir}: ${(error as Error).message}`);
  }
  let record: Partial<DocumentRecord>;
  try {
    record = JSON.parse(json.toString('utf8'));
  } catch {
    throw new UnreadableDocument(`${paths.json}: not JSON`);
  }
  if (record.documentId !== undefined && record.documentId !== documentId)
    throw new UnreadableDocument(`${paths.json}: names document ${record.documentId}`);
  if (record.sha256 !== undefined && record.sha256 !== sha256Hex(html))
    throw new UnreadableDocument(`${paths.html}: does not match the sha256 in ${documentId}.json`);
  return packWorkerFiles(documentId, { html, text, json }, record);
}

/**
 * A document saved by the older system: `<id>_<id>.html` is the /Review page as the browser saved it (the
 * decision inside `textarea#txtdepository`) or, in some folders, the decision alone; `<id>_<id>_print.html`
 * is the print view, used for the text when the page has no decision header to take it from.
 */
export async function packFromOlderLayout(
  dir: string,
  documentId: string,
  registryUrl: string,
): Promise<PackedDocument> {
  const pagePath = join(dir, `${documentId}_${documentId}.html`);
  const printPath = join(dir, `${documentId}_${documentId}_print.html`);
  let page: string;
  try {
    page = await readFile(pagePath, 'utf8');
  } catch (error) {
    throw new UnreadableDocument(`${pagePath}: ${(error as Error).message}`);
  }
  const parsed = parsePage(page);
  let html: string;
  let text: string;
  let decision: Record<string, unknown> = {};
  if (parsed.kind === 'review' && parsed.html.trim()) {
    html = parsed.html;
    text = parsed.text;
    decision = JSON.parse(JSON.stringify(parsed.metadata)) as Record<string, unknown>;
  } else {
    html = page;
    const print = await readFile(printPath, 'utf8').catch(() => null);
    text = htmlToTextLines(print ?? page).join('\n');
  }
  const fetchedAt = (await stat(pagePath)).mtime.toISOString();
  const htmlBytes = Buffer.from(html, 'utf8');
  const textBytes = Buffer.from(text, 'utf8');
  const record: DocumentRecord & { importedFrom: string } = {
    documentId,
    sourceUrl: `${registryUrl.replace(/\/+$/, '')}/Review/${documentId}`,
    fetchedAt,
    sha256: sha256Hex(htmlBytes),
    sizeBytes: htmlBytes.length,
    textSizeBytes: textBytes.length,
    row: null,
    decision,
    taskId: null,
    page: null,
    importedFrom: 'older-layout',
  };
  return packDocument(documentId, {
    html: htmlBytes,
    text: textBytes,
    metadata: Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8'),
    fetchedAt,
  });
}
