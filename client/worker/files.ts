/**
 * The files of one downloaded decision: `<output-dir>/<id>/<id>.html` (the decision as the court
 * submitted it), `<id>.txt` (its text) and `<id>.json` (metadata). The three are written into a temp
 * directory `<output-dir>/.tmp/<id>.<pid>.<n>/` and that directory is renamed to `<output-dir>/<id>` in one
 * step: a document directory is either complete or absent, whenever the worker is killed. Temp directories
 * of workers that are no longer running are removed at start (`removeStaleTemps`).
 */
import { createHash } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface DocumentPaths {
  dir: string;
  html: string;
  text: string;
  json: string;
}

/**
 * Registry document ids are digits. The writer checks it itself, whatever was checked upstream: the id becomes
 * a directory name, and an id like `../../x` would be written outside the output dir (or `..` replace its parent).
 */
export function isDocumentId(documentId: unknown): documentId is string {
  return typeof documentId === 'string' && /^\d{1,32}$/.test(documentId);
}

export class BadDocumentIdError extends Error {
  constructor(documentId: unknown) {
    super(`refusing to write files for document id ${JSON.stringify(documentId)}: not a registry document id (digits)`);
  }
}

export function documentPaths(outputDir: string, documentId: string): DocumentPaths {
  if (!isDocumentId(documentId)) throw new BadDocumentIdError(documentId);
  const dir = join(outputDir, documentId);
  return {
    dir,
    html: join(dir, `${documentId}.html`),
    text: join(dir, `${documentId}.txt`),
    json: join(dir, `${documentId}.json`),
  };
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

const TEMP_DIR = '.tmp';
/** The record of a complete document, or null when any of its files is missing or does not match. */
export async function readCompleteDocument(outputDir: string, documentId: string): Promise<DocumentRecord | null> {
  if (!isDocumentId(documentId)) return null; // never on disk: writeDocument refuses it
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

/** The three files of a document (and the record its JSON holds), built once for every folder it is written to. */
export function documentFiles(content: DocumentContent): {
  record: DocumentRecord;
  files: { html: Buffer; text: Buffer; json: Buffer };
} {
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
  return { record, files: { html, text, json: Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8') } };
}

/** Writes the three files of a document into a temp directory and renames it into place; returns the JSON record. */
export async function writeDocument(outputDir: string, content: DocumentContent): Promise<DocumentRecord> {
  if (!isDocumentId(content.documentId)) throw new BadDocumentIdError(content.documentId);
  const { record, files } = documentFiles(content);
  await writeDocumentFiles(outputDir, content.documentId, files);
  return record;
}

/**
 * The three files of a complete document in `from`, placed whole into `to` (the same bytes): hard links when both
 * are on one file system — a fraction of the system time of writing them again, and the bytes are never rewritten
 * in place (every writer here renames a new directory in), so the two copies cannot drift apart — else read and
 * written.
 */
export async function copyDocument(from: string, to: string, documentId: string): Promise<void> {
  const paths = documentPaths(from, documentId);
  try {
    await placeDocumentFiles(to, documentId, (name) =>
      Promise.all([paths.html, paths.text, paths.json].map((path) => link(path, name(path)))),
    );
    return;
  } catch {
    // another file system (EXDEV), or links not allowed there: copy the bytes
  }
  const [html, text, json] = await Promise.all([readFile(paths.html), readFile(paths.text), readFile(paths.json)]);
  await writeDocumentFiles(to, documentId, { html, text, json });
}

/** Writes the three files into a temp directory and renames it to `<outputDir>/<id>`: complete or absent, always. */
export async function writeDocumentFiles(
  outputDir: string,
  documentId: string,
  files: { html: Buffer; text: Buffer; json: Buffer },
): Promise<void> {
  const paths = documentPaths(outputDir, documentId);
  await placeDocumentFiles(outputDir, documentId, (name) =>
    Promise.all([
      writeFile(name(paths.html), files.html),
      writeFile(name(paths.text), files.text),
      writeFile(name(paths.json), files.json),
    ]),
  );
}

/**
 * Fills a temp directory (`fill` gets the temp path of each file by its final path) and renames it to
 * `<outputDir>/<id>`: the document is complete or absent, always.
 */
async function placeDocumentFiles(
  outputDir: string,
  documentId: string,
  fill: (name: (path: string) => string) => Promise<unknown>,
): Promise<void> {
  const paths = documentPaths(outputDir, documentId);
  const temp = join(outputDir, TEMP_DIR, `${documentId}.${process.pid}.${++tempCounter}`);
  const name = (path: string) => join(temp, basename(path));
  let placed = false;
  try {
    await mkdir(temp, { recursive: true });
    await fill(name);
    try {
      await rename(temp, paths.dir);
    } catch (error) {
      // An incomplete or older copy is in the way (only complete documents are skipped): replace it.
      if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      await rm(paths.dir, { recursive: true, force: true });
      await rename(temp, paths.dir);
    }
    placed = true;
  } finally {
    // Only a failed write leaves the temp directory behind (a recursive rm of a name already renamed away still
    // costs a handful of system calls per document).
    if (!placed) await rm(temp, { recursive: true, force: true });
  }
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes temp directories that workers killed mid-write left behind (a running worker's are kept). */
export async function removeStaleTemps(outputDir: string): Promise<number> {
  const root = join(outputDir, TEMP_DIR);
  const names = await readdir(root).catch(() => [] as string[]);
  const stale = names.filter((name) => {
    const pid = Number(name.split('.')[1]);
    return !Number.isInteger(pid) || (pid !== process.pid && !isRunning(pid));
  });
  await Promise.all(stale.map((name) => rm(join(root, name), { recursive: true, force: true })));
  return stale.length;
}
