// What must hold after any failure: every task completed exactly once (or in a deliberate terminal state),
// every downloaded document on disk with its three files and no partial files, the gate's document count
// equal to what is on disk, no lease left running past its expiry — and the corpus: the set of decisions
// stored at the gate equals the set the fake registry served for the planned windows, each with its content.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GeneratedSearch } from '../fake-registry/data.ts';
import { LEASE_SECONDS, SWEEP_SECONDS, type ChaosCluster } from './cluster.ts';

export interface InvariantReport {
  tasks: number;
  completed: number;
  notFinished: number;
  completedTwice: number;
  documentsInGate: number;
  documentsOnDisk: number;
  partialFiles: string[];
  missingOnDisk: string[];
  unknownToGate: string[];
  staleLeases: number;
  /** decisions the registry served more than once (a worker died between fetching and registering) */
  refetched: number;
  /** planned (the rows of the tasks' result pages) but not stored at the gate */
  plannedNotStored: string[];
  /** stored at the gate but not planned */
  storedNotPlanned: string[];
  /** served by the registry (fetched by some worker) but not stored: a fetched decision that got lost */
  servedNotStored: string[];
  /** recorded without their content */
  withoutContent: number;
}

/**
 * The decisions the tasks planned: the first maxDocuments rows of each task's result page, computed by the
 * fake registry's own generator for the search the workers sent.
 */
function plannedDocumentIds(cluster: ChaosCluster, tasks: Array<{ startPage: number; maxDocuments: number }>) {
  const params = [...cluster.registry.searches.values()][0];
  const planned = new Set<string>();
  if (!params) return planned;
  const search = new GeneratedSearch(params);
  for (const task of tasks)
    for (const row of search.rowsOfPage(task.startPage).slice(0, task.maxDocuments)) planned.add(row.documentId);
  return planned;
}

export async function checkInvariants(cluster: ChaosCluster): Promise<InvariantReport> {
  const db = cluster.db;
  const tasks = (
    await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM tasks GROUP BY status')
  ).rows;
  const total = tasks.reduce((a, r) => a + r.n, 0);
  const completed = tasks.find((r) => r.status === 'COMPLETED')?.n ?? 0;
  const completedTwice = (
    await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM (SELECT task_id FROM task_events WHERE type = 'COMPLETED' GROUP BY task_id HAVING count(*) > 1) x",
    )
  ).rows[0].n;
  const staleLeases = (
    await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM tasks WHERE status IN ('CLAIMED', 'RUNNING') AND lease_expires_at < now() - make_interval(secs => $1)",
      [SWEEP_SECONDS * 4],
    )
  ).rows[0].n;
  const documentRows = (
    await db.query<{ document_id: string; stored: boolean }>(
      'SELECT document_id, stored_at IS NOT NULL AS stored FROM documents',
    )
  ).rows;
  const inGate = new Set(documentRows.map((r) => r.document_id));
  const stored = new Set(documentRows.filter((r) => r.stored).map((r) => r.document_id));
  const taskRows = (
    await db.query<{ startPage: number; maxDocuments: number }>(
      `SELECT start_page AS "startPage", max_documents AS "maxDocuments" FROM tasks WHERE kind = 'DOWNLOAD'`,
    )
  ).rows;
  const planned = plannedDocumentIds(cluster, taskRows);

  const onDisk = new Set<string>();
  const partialFiles: string[] = [];
  for (const entry of existsSync(cluster.outputDir) ? readdirSync(cluster.outputDir, { withFileTypes: true }) : []) {
    // The workers' staging area: a document is assembled in .tmp/ and renamed into place whole, so what a
    // killed worker left there is never mistaken for a document (and is cleaned up by the next write).
    if (entry.name === '.tmp' && entry.isDirectory()) continue;
    if (!entry.isDirectory()) {
      partialFiles.push(entry.name);
      continue;
    }
    const id = entry.name;
    const files = readdirSync(join(cluster.outputDir, id)).sort();
    const expected = [`${id}.html`, `${id}.json`, `${id}.txt`];
    if (files.join() === expected.join()) onDisk.add(id);
    else
      partialFiles.push(
        ...files.filter((f) => !expected.includes(f)).map((f) => `${id}/${f}`),
        ...(files.length < 3 ? [`${id}/ (incomplete)`] : []),
      );
  }
  const fetches = new Map<string, number>();
  for (const r of cluster.registry.requestLog) {
    if (r.route === 'review' && r.status === 200 && !r.fault) fetches.set(r.path, (fetches.get(r.path) ?? 0) + 1);
  }
  return {
    tasks: total,
    completed,
    notFinished: tasks.filter((r) => ['PENDING', 'CLAIMED', 'RUNNING'].includes(r.status)).reduce((a, r) => a + r.n, 0),
    completedTwice,
    documentsInGate: inGate.size,
    documentsOnDisk: onDisk.size,
    partialFiles,
    missingOnDisk: [...inGate].filter((id) => !onDisk.has(id)),
    unknownToGate: [...onDisk].filter((id) => !inGate.has(id)),
    staleLeases,
    refetched: [...fetches.values()].filter((n) => n > 1).length,
    plannedNotStored: [...planned].filter((id) => !stored.has(id)),
    storedNotPlanned: [...stored].filter((id) => !planned.has(id)),
    servedNotStored: [...fetches.keys()].map((path) => path.split('/')[2]).filter((id) => !stored.has(id)),
    withoutContent: inGate.size - stored.size,
  };
}

/** The broken invariants, as sentences; empty when everything holds. */
export function violations(r: InvariantReport): string[] {
  const out: string[] = [];
  if (r.notFinished) out.push(`${r.notFinished} of ${r.tasks} tasks never finished`);
  if (r.completed !== r.tasks) out.push(`${r.tasks - r.completed} tasks ended other than COMPLETED`);
  if (r.completedTwice) out.push(`${r.completedTwice} tasks completed twice`);
  if (r.partialFiles.length) out.push(`partial files: ${r.partialFiles.slice(0, 5).join(', ')}`);
  if (r.missingOnDisk.length) out.push(`${r.missingOnDisk.length} documents the gate knows are not on disk`);
  if (r.unknownToGate.length) out.push(`${r.unknownToGate.length} documents on disk the gate does not know`);
  if (r.staleLeases) out.push(`${r.staleLeases} leases expired long ago and were not swept`);
  // The corpus: the decisions at the gate are exactly those the registry served for the planned windows.
  if (r.plannedNotStored.length) out.push(`${r.plannedNotStored.length} planned decisions are not stored at the gate`);
  if (r.storedNotPlanned.length) out.push(`${r.storedNotPlanned.length} stored decisions were never planned`);
  if (r.servedNotStored.length) out.push(`${r.servedNotStored.length} decisions the registry served are not stored`);
  if (r.withoutContent) out.push(`${r.withoutContent} documents recorded without their content`);
  return out;
}

export const LEASE_MS = LEASE_SECONDS * 1000;
