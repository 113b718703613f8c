// Downloaded decisions. The registry's document id is unique: registering one twice is harmless and
// answers which were new, and workers ask which ids are known before fetching, so across all workers a
// decision is downloaded once.
import { z } from 'zod';
import { prisma } from '../db/database.ts';
import { uploadChecks } from '../db/sql/upload-checks.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { requireActor, type Actor } from './actor.ts';
import { registerCache } from './caches.ts';
import { clientActingFor } from './clients.ts';
import { typedColumns } from './document-index.ts';
import { GateError, notFound, parseInput } from './errors.ts';
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

/**
 * Registers downloaded documents. Naming a task or a client is a claim the caller must back: the client must
 * be one it may act for, and the task one that a worker of its key holds or held (documents downloaded before
 * a lease was lost are still real downloads); admins may name any.
 */
export async function registerDocuments(actorOrNull: Actor | null, input: z.input<typeof registration>) {
  const actor = requireActor(actorOrNull);
  const r = parseInput(registration, input);
  if (r.clientId) await clientActingFor(actor, r.clientId);
  if (r.taskId) await requireTaskOfCaller(actor, r.taskId);
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

/**
 * Tasks known to have been leased to a key's workers. "Holds or held" never turns false again, so a task is
 * looked up once per key, not on every report.
 */
const leasedToKey = registerCache(new Set<string>());

async function requireTaskOfCaller(actor: Actor, taskId: string): Promise<void> {
  const remembered = `${actor.keyId ?? ''}:${taskId}`;
  if (leasedToKey.has(remembered)) return;
  // the uploads' own question, for one task: does it exist, and was it ever leased to a worker of this key
  const { existing, leased } = await uploadChecks([], [taskId], actor.keyId, null);
  if (!existing.has(taskId)) throw notFound('task', taskId);
  if (actor.role !== 'ADMIN' && !leased.has(taskId))
    throw new GateError('FORBIDDEN', `task ${taskId} was never leased to a worker of this API key`);
  if (leasedToKey.size > 100_000) leasedToKey.clear();
  leasedToKey.add(remembered);
}

/** Which of these registry ids the gate already has with their content (a row registered without content does not count: its decision is still to be fetched). */
export async function knownDocumentIds(actor: Actor | null, idsInput: string[]): Promise<string[]> {
  requireActor(actor);
  const ids = parseInput(z.array(documentId).max(10_000), idsInput);
  const rows = await prisma.document.findMany({
    where: { documentId: { in: ids }, storedAt: { not: null } },
    select: { documentId: true },
  });
  return rows.map((r) => r.documentId);
}
