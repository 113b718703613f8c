/**
 * `reyestr documents pull --output-dir DIR`: writes stored decisions (all, or those matching a filter) to a
 * folder in the worker layout. A document whose files are there with the right sha256 is skipped, so a pull
 * stopped by Ctrl-C goes on where it stopped; each one is written whole (temp directory, renamed) after its
 * bytes were checked against the sha256 the gate recorded. With `plan`, nothing is fetched or written: the
 * same listing and the same check of the folder say what a pull would fetch, in documents and bytes.
 */
import { readFile } from 'node:fs/promises';
import PQueue from 'p-queue';
import type { GateClient } from '../gate/client.ts';
import { graphql } from '../gate/generated/index.ts';
import type { DocumentFilter } from '../gate/generated/graphql.ts';
import { documentPaths, sha256Hex, writeDocumentFiles } from '../worker/files.ts';
import type { Logger } from '../worker/log.ts';
import { persist } from '../worker/retry.ts';
import type { ContentClient } from './content-client.ts';

const StoredDocumentsPage = graphql(`
  query PullDocuments($filter: DocumentFilter, $first: Int, $after: String) {
    documents(filter: $filter, first: $first, after: $after, orderBy: ADOPTED_ON_ASC) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { documentId sha256 textSha256 storedAt sizeBytes textSizeBytes storedBytes } }
    }
  }
`);

export interface PullOptions {
  outputDir: string;
  gate: GateClient;
  content: ContentClient;
  log: Logger;
  filter: DocumentFilter;
  concurrency?: number;
  /** only say what would be pulled (summary.plan), fetch and write nothing */
  plan?: boolean;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

export interface PullSummary {
  listed: number;
  written: number;
  skipped: number;
  failed: Array<{ documentId: string; reason: string }>;
  /** with `plan`: what a pull would do (`written` stays 0) */
  plan?: PullPlan;
}

export interface PullPlan {
  /** documents a pull would fetch (not in the folder, or not with the right sha256) */
  toPull: number;
  /** their HTML + text bytes as they would be written (the metadata JSON, a few KB each, comes on top) */
  bytesToWrite: number;
  /** the bytes that would travel (gzip, all three parts, as stored) */
  bytesToFetch: number;
  /** HTML + text bytes of the documents already there */
  bytesAlreadyThere: number;
}

interface ListedDocument {
  documentId: string;
  sha256?: string | null;
  textSha256?: string | null;
  sizeBytes?: number | null;
  textSizeBytes?: number | null;
  storedBytes?: number | null;
}

const sameFile = async (path: string, sha256: string | null | undefined) =>
  !!sha256 && sha256Hex(await readFile(path).catch(() => Buffer.alloc(0))) === sha256;

export async function pullDocuments(options: PullOptions): Promise<PullSummary> {
  const { gate, content, log, signal, outputDir } = options;
  const summary: PullSummary = { listed: 0, written: 0, skipped: 0, failed: [] };
  const plan: PullPlan | null = options.plan
    ? { toPull: 0, bytesToWrite: 0, bytesToFetch: 0, bytesAlreadyThere: 0 }
    : null;
  if (plan) summary.plan = plan;
  const queue = new PQueue({ concurrency: options.concurrency ?? 8 });
  let total = 0;
  let done = 0;
  const progress = () => options.onProgress?.(done, total);
  const send = <T>(what: string, call: () => Promise<T>) => persist(call, { log, what, signal });

  const pullOne = async (node: ListedDocument & { sha256: string }) => {
    const { documentId, sha256, textSha256 } = node;
    const paths = documentPaths(outputDir, documentId);
    const plainBytes = (node.sizeBytes ?? 0) + (node.textSizeBytes ?? 0);
    if ((await sameFile(paths.html, sha256)) && (await sameFile(paths.text, textSha256))) {
      summary.skipped++;
      if (plan) plan.bytesAlreadyThere += plainBytes;
      return;
    }
    if (plan) {
      plan.toPull++;
      plan.bytesToWrite += plainBytes;
      plan.bytesToFetch += node.storedBytes ?? 0;
      return;
    }
    const [html, text, json] = await Promise.all(
      (['html', 'text', 'json'] as const).map((part) =>
        send(`${part} of ${documentId}`, () => content.read(documentId, part)),
      ),
    );
    if (sha256Hex(html.bytes) !== sha256 || (textSha256 && sha256Hex(text.bytes) !== textSha256))
      throw new Error('the bytes read do not match the sha256 the gate recorded');
    await writeDocumentFiles(outputDir, documentId, { html: html.bytes, text: text.bytes, json: json.bytes });
    summary.written++;
  };

  let after: string | null = null;
  do {
    const page = (
      await send('documents', () => gate.request(StoredDocumentsPage, { filter: options.filter, first: 100, after }))
    ).documents;
    total = page.totalCount;
    for (const { node } of page.edges) {
      if (!node.storedAt || !node.sha256) continue; // recorded without content: nothing to pull
      summary.listed++;
      const listed = { ...node, sha256: node.sha256 };
      void queue.add(async () => {
        try {
          await pullOne(listed);
        } catch (error) {
          summary.failed.push({ documentId: listed.documentId, reason: (error as Error).message });
        }
        done++;
        progress();
      });
    }
    await queue.onSizeLessThan(2_000);
    after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null;
  } while (after && !signal?.aborted);
  await queue.onIdle();
  return summary;
}
