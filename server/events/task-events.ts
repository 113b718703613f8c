// Reading the task event log: replay for subscribers (afterSeq) and the feed of every gate's event pump.
// Readers never read past a horizon (server/events/horizon.ts): seq values can commit out of order, and an
// event whose transaction is still open must not be skipped.
import { prisma } from '../db/database.ts';
import { eventsBetween as eventsBetweenSql } from '../db/sql/events-between.ts';
import type { TaskEvent } from '../generated/prisma/client.ts';

export type { TaskEvent };

/** Events read per page; a shorter page means the reader has caught up. */
export const EVENT_PAGE = 1000;

/** Events with `after` < seq <= `upTo` (no upper bound when `upTo` is null), oldest first. */
export function eventsBetween(after: bigint, upTo: bigint | null, limit = EVENT_PAGE): Promise<TaskEvent[]> {
  return eventsBetweenSql(after, upTo, limit);
}

export async function lastEventSeq(): Promise<bigint> {
  const last = await prisma.taskEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  return last?.seq ?? 0n;
}

/** Event types after which a task can be claimed: idle workers are nudged by these. */
export const MAKES_TASK_AVAILABLE = new Set(['CREATED', 'RELEASED', 'RETRIED', 'LEASE_EXPIRED', 'FAILED']);
