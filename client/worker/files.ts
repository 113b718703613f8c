/**
 * The files of one downloaded decision: `<output-dir>/<id>/<id>.html` (the decision as the court
 * submitted it), `<id>.txt` (its text) and `<id>.json` (metadata). Each is written to a temp file in the
 * same directory and renamed into place, the JSON last: a document is complete when its JSON exists,
 * parses, and names the sizes of the HTML and text files that are there. A crash leaves at most temp
 * files (`.<name>.<pid>.<n>.tmp`), which are removed the next time the document is written.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DocumentPaths {
  dir: string;
  html: string;
  text: string;
  json: string;
}

export function documentPaths(outputDir: string, documentId: string): DocumentPaths {
  const dir = join(outputDir, documentId);
  return { dir, html: join(dir, `${documentId}.html`), text: join(dir, `${documentId}.txt`), json: join(dir, `${documentId}.json`) };
}

/** What `<id>.json` holds. */
export interface DocumentRecord {
  documentId: string;
  sourceUrl: string;
  fetchedAt: string;
  /** sha256 (hex) and size of `<id>.html` as written (UTF-8). */
  sha256: string;
  sizeBytes: number;
  textSizeBytes: number;
  /** The row of the search results the document came from. */
  row: Record<string, unknown> | null;
  /** The header of the decision page. */
  decision: Record<string, unknown>;
  taskId: string | null;
  /** Results page the row was on. */
  page: number | null;
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

let tempCounter = 0;

/** Writes `data` to `path` atomically: a temp file in the same directory, then rename. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const slash = path.lastIndexOf('/');
  const temp = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${process.pid}.${++tempCounter}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The record of a complete document, or null when any of its files is missing or does not match. */
export async function readCompleteDocument(outputDir: string, documentId: string): Promise<DocumentRecord | null> {
  const paths = documentPaths(outputDir, documentId);
  try {
    const record = JSON.parse(await readFile(paths.json, 'utf8')) as DocumentRecord;
    if (record.documentId !== documentId || typeof record.sha256 !== 'string') return null;
    const [html, text] = await Promise.all([stat(paths.html), stat(paths.text)]);
    return html.size === record.sizeBytes && text.size === record.textSizeBytes ? record : null;
  } catch {
    return null;
  }
}

export interface DocumentContent {
  documentId: string;
  sourceUrl: string;
  html: string;
  text: string;
  row: Record<string, unknown> | null;
  decision: Record<string, unknown>;
  taskId: string | null;
  page: number | null;
  fetchedAt?: Date;
}

/** Writes the three files of a document (HTML, text, then JSON) and returns the JSON record. */
export async function writeDocument(outputDir: string, content: DocumentContent): Promise<DocumentRecord> {
  const paths = documentPaths(outputDir, content.documentId);
  // A directory that already existed may hold a killed worker's temp files; a new one cannot.
  const created = await mkdir(paths.dir, { recursive: true });
  if (created === undefined) await removeStaleTemps(paths.dir);
  const html = Buffer.from(content.html, 'utf8');
  const text = Buffer.from(content.text, 'utf8');
  const record: DocumentRecord = {
    documentId: content.documentId,
    sourceUrl: content.sourceUrl,
    fetchedAt: (content.fetchedAt ?? new Date()).toISOString(),
    sha256: sha256Hex(html),
    sizeBytes: html.length,
    textSizeBytes: text.length,
    row: content.row,
    decision: content.decision,
    taskId: content.taskId,
    page: content.page,
  };
  await writeFileAtomic(paths.html, html);
  await writeFileAtomic(paths.text, text);
  await writeFileAtomic(paths.json, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** Temp files a killed worker left behind (another live worker's temp files are in other directories). */
async function removeStaleTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name.startsWith('.') && name.endsWith('.tmp')).map((name) => rm(join(dir, name), { force: true })));
}
