// Registering one decision from the metadata an older worker sends (registry card fields), classified by
// court region and instance: from the task's search params when they pin both down, else from the court's name.
import { z } from 'zod';
import {
  instanceOfCourtName,
  parseRegistryDate,
  regionOfCourtName,
  singleSearchValue,
} from '../../client/rules/index.ts';
import { prisma } from '../db/database.ts';
import type { Document } from '../generated/prisma/client.ts';
import type { Actor } from './actor.ts';
import { registerDocuments } from './documents.ts';
import { badInput, notFound, parseInput } from './errors.ts';
import { idSchema, parseId } from './ids.ts';

export interface Classification {
  courtRegion: string | null;
  instanceType: string | null;
  source: 'search_params' | 'court_name';
}

const text = (max: number) => z.string().trim().max(max).nullish();

export const documentMetadataSchema = z.object({
  externalId: text(50),
  regNumber: text(50),
  url: text(2000),
  courtName: text(500),
  judgeName: text(500),
  decisionType: text(200),
  /** DD.MM.YYYY as the registry shows it; kept as sent (the registry has malformed dates), parsed when valid */
  decisionDate: text(50),
  lawDate: text(50),
  caseType: text(200),
  caseNumber: text(200),
});
export type DocumentMetadata = z.output<typeof documentMetadataSchema>;

/** The registry id of a decision: external_id, else reg_number, else the /Review/<id> of its url. */
export function registryIdOf(m: DocumentMetadata): string {
  const fromUrl = m.url ? /\/Review\/(\d+)/.exec(m.url)?.[1] : undefined;
  const id = m.externalId || m.regNumber || fromUrl;
  if (!id)
    throw badInput('metadata: give external_id, reg_number or a /Review/<id> url', [
      { path: ['metadata', 'externalId'], message: 'give external_id, reg_number or a /Review/<id> url' },
    ]);
  if (!/^\d{1,15}$/.test(id))
    throw badInput('metadata.external_id: must be the registry document id (digits)', [
      { path: ['metadata', 'externalId'], message: 'must be the registry document id (digits)' },
    ]);
  return id;
}

export function classifyDocument(m: DocumentMetadata, searchParams: unknown): Classification | null {
  const region = singleSearchValue(searchParams, 'CourtRegion');
  const instance = singleSearchValue(searchParams, 'INSType');
  if (region || instance) return { courtRegion: region, instanceType: instance, source: 'search_params' };
  const courtRegion = regionOfCourtName(m.courtName);
  const instanceType = instanceOfCourtName(m.courtName);
  return courtRegion || instanceType ? { courtRegion, instanceType, source: 'court_name' } : null;
}

/**
 * Registers one decision. The same registry id again returns the stored document (created: false) and
 * changes nothing. The classification is stored in the document's metadata.
 */
export async function registerDocumentWithMetadata(
  actor: Actor | null,
  input: {
    taskId?: string | null;
    clientId?: string | null;
    searchParams?: unknown;
    metadata: z.input<typeof documentMetadataSchema>;
  },
): Promise<{ document: Document; created: boolean; classification: Classification | null }> {
  const metadata = parseInput(documentMetadataSchema, input.metadata);
  const documentId = registryIdOf(metadata);
  const taskId = input.taskId ? parseId(input.taskId, 'taskId') : null;
  const task = taskId ? await prisma.task.findUnique({ where: { id: taskId }, select: { searchParams: true } }) : null;
  if (taskId && !task) throw notFound('task', taskId);
  const classification = classifyDocument(metadata, input.searchParams ?? task?.searchParams);
  const stored = {
    ...Object.fromEntries(Object.entries(metadata).filter(([, v]) => v != null)),
    ...(metadata.decisionDate ? { decisionDateIso: parseRegistryDate(metadata.decisionDate) } : {}),
    ...(classification ? { classification } : {}),
  };
  const [registered] = await registerDocuments(actor, {
    taskId,
    clientId: input.clientId ?? null,
    documents: [{ documentId, metadata: stored }],
  });
  const kept = (registered.document.metadata as { classification?: Classification } | null)?.classification ?? null;
  return { ...registered, classification: registered.created ? classification : kept };
}

/** A document by the gate's id (UUID) or the registry's id (digits); NOT_FOUND otherwise. */
export async function findDocument(idInput: string): Promise<Document> {
  const id = idInput.trim();
  const gateId = idSchema.safeParse(id);
  const document = /^\d{1,15}$/.test(id)
    ? await prisma.document.findUnique({ where: { documentId: id } })
    : gateId.success
      ? await prisma.document.findUnique({ where: { id: gateId.data } })
      : null;
  if (!document) throw notFound('document', idInput);
  return document;
}
