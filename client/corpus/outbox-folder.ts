/**
 * The outbox folder (client/corpus/outbox.ts) on disk: the worker layout (`<id>/<id>.html|.txt|.json`, each
 * document renamed into place whole), listed, written from a packed document, emptied after an upload, and
 * `.rejected/<id>/` for what the gate refused for good.
 */
import { mkdir, readdir, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { documentPaths, writeDocumentFiles } from '../worker/files.ts';
import type { PackedDocument } from './pack.ts';

export const REJECTED_DIR = '.rejected';

/** The ids of the complete documents in a folder of the worker layout. */
export async function documentIdsIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && /^\d{1,15}$/.test(e.name)).map((e) => e.name);
}

/** A packed document written into the folder whole: its parts' gzip holds the bytes as they were fetched. */
export function writePacked(dir: string, document: PackedDocument): Promise<void> {
  const { html, text, metadata } = document.parts;
  return writeDocumentFiles(dir, document.documentId, {
    html: gunzipSync(html.gzip),
    text: gunzipSync(text.gzip),
    json: gunzipSync(metadata.gzip),
  });
}

/**
 * Takes an uploaded document out of the folder in one step: renamed out of the layout first (a name no scan
 * lists), then deleted. A recursive delete in place is not atomic: another worker sharing this outbox could
 * find the folder half gone and reject it as broken.
 */
export async function removeDocument(dir: string, documentId: string): Promise<void> {
  const leaving = join(dir, `.uploaded-${documentId}-${process.pid}`);
  await rename(join(dir, documentId), leaving).catch(() => {});
  // Its three files by name, then the folder: a recursive delete walks the folder first (twice the system calls
  // per document). Anything else in there (or a rename that found nothing) is left to the recursive delete.
  const { html, text, json } = documentPaths(dir, documentId);
  await Promise.all([html, text, json].map((path) => unlink(join(leaving, basename(path))).catch(() => {})));
  await rmdir(leaving).catch(() => rm(leaving, { recursive: true, force: true }));
}

/** Moves a document to `.rejected/<id>/` with REJECTED.txt saying why; returns where it went. */
export async function moveToRejected(dir: string, documentId: string, reason: string): Promise<string> {
  const target = join(dir, REJECTED_DIR, documentId);
  await mkdir(join(dir, REJECTED_DIR), { recursive: true });
  await rm(target, { recursive: true, force: true });
  await rename(join(dir, documentId), target).catch(() => {});
  await writeFile(join(target, 'REJECTED.txt'), `${new Date().toISOString()} ${reason}\n`).catch(() => {});
  return target;
}
