// Downloaded decisions. The registry's document id is unique: registering one twice is harmless and
// answers which were new, and workers ask which ids are known before fetching, so across all workers a
// decision is downloaded once.
import { z } from 'zod';
import { prisma } from '../db/database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { requireActor, type Actor } from './actor.ts';
import { typedColumns } from './document-index.ts';
import { parseInput } from './errors.ts';
import { idSchema } from './ids.ts';

const documentId = z
  .string()
  .trim()
  .regex(/^\d{1,15}$/, 'must be the registry document id (digits)');

const registration = z.object({
  taskId: idSchema.nullish(),
  clientId: idSchema.nullish(),
  documents: z
    .array(
      z.object({
        documentId,
        metadata: z.record(z.string(), z.unknown()).default({}),
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/, 'must be a hex sha256')
          .nullish(),
        sizeBytes: z.number().int().min(0).nullish(),
        fetchedAt: z.date().nullish(),
      }),
    )
    .min(1)
    .max(1000),
});

export async function registerDocuments(actor: Actor | null, input: z.input<typeof registration>) {
  requireActor(actor);
  const r = parseInput(registration, input);
  const ids = r.documents.map((d) => d.documentId);
  // The task's search tells the region/instance of its documents (a single CourtRegion / INSType).
  const task = r.taskId
    ? await prisma.task.findUnique({ where: { id: r.taskId }, select: { searchParams: true } })
    : null;
  // One insert that skips known ids and says which rows it made, then one read of them all.
  const inserted = await prisma.document.createManyAndReturn({
    data: r.documents.map((d) => ({
      documentId: d.documentId,
      metadata: d.metadata as Prisma.InputJsonValue,
      ...typedColumns(d.metadata, { documentId: d.documentId, searchParams: task?.searchParams }),
      sha256: d.sha256 ?? null,
      sizeBytes: d.sizeBytes ?? null,
      fetchedAt: d.fetchedAt ?? undefined,
      taskId: r.taskId ?? null,
      clientId: r.clientId ?? null,
    })),
    skipDuplicates: true,
    select: { documentId: true },
  });
  const created = new Set(inserted.map((d) => d.documentId));
  const rows = await prisma.document.findMany({ where: { documentId: { in: ids } } });
  return rows.map((document) => ({ document, created: created.has(document.documentId) }));
}

/** Which of these registry ids the gate already has. */
export async function knownDocumentIds(actor: Actor | null, idsInput: string[]): Promise<string[]> {
  requireActor(actor);
  const ids = parseInput(z.array(documentId).max(10_000), idsInput);
  const rows = await prisma.document.findMany({ where: { documentId: { in: ids } }, select: { documentId: true } });
  return rows.map((r) => r.documentId);
}
