// Ids by their first characters. People see the 8-character head of a UUID (the CLI's tables, worker logs,
// the dashboard); this finds the full ids that start with it, as git does for commits, so a caller can
// accept the short form and say "ambiguous" when two match. A prefix becomes a range of the primary key
// (the prefix padded with 0s … with fs), so the lookup is an index range scan whatever the table's size.
import { prisma } from '../db/database.ts';
import { requireActor, requireAdmin, type Actor } from './actor.ts';
import { badInput } from './errors.ts';

export const ID_KINDS = ['TASK', 'PLAN', 'CLIENT', 'DOCUMENT', 'API_KEY', 'FOLLOW'] as const;
export type IdKind = (typeof ID_KINDS)[number];

/** Shorter prefixes match too much to be useful (git's minimum is 4 as well). */
const MIN_PREFIX = 4;
const MAX_MATCHES = 10;

const asUuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** The first and last UUID that start with `prefix` (hex digits; hyphens are ignored). */
export function uuidRange(prefix: string): { from: string; to: string } {
  const hex = prefix.toLowerCase().replaceAll('-', '');
  if (!/^[0-9a-f]*$/.test(hex) || hex.length < MIN_PREFIX || hex.length > 32)
    throw badInput(`prefix: "${prefix}" is not the start of an id (${MIN_PREFIX} to 32 hex digits)`, [
      { path: ['prefix'], message: `${MIN_PREFIX} to 32 hex digits` },
    ]);
  return { from: asUuid(hex.padEnd(32, '0')), to: asUuid(hex.padEnd(32, 'f')) };
}

/** Up to 10 ids of `kind` starting with `prefix`, in id order. API keys only for admins. */
export async function idsByPrefix(actor: Actor | null, kind: IdKind, prefix: string): Promise<string[]> {
  if (kind === 'API_KEY') requireAdmin(actor);
  else requireActor(actor);
  const { from, to } = uuidRange(prefix);
  const query = { where: { id: { gte: from, lte: to } }, select: { id: true }, orderBy: { id: 'asc' as const } };
  const page = { ...query, take: MAX_MATCHES };
  const rows =
    kind === 'TASK'
      ? await prisma.task.findMany(page)
      : kind === 'PLAN'
        ? await prisma.plan.findMany(page)
        : kind === 'CLIENT'
          ? await prisma.client.findMany(page)
          : kind === 'DOCUMENT'
            ? await prisma.document.findMany(page)
            : kind === 'FOLLOW'
              ? await prisma.follow.findMany(page)
              : await prisma.apiKey.findMany(page);
  return rows.map((row) => row.id);
}
