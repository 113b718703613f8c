// What a gate process holds: its database connections (by role, from pg_stat_activity — every gate
// connection is named `reyestr-gate <pid> <role>`), its open descriptors (/proc/<pid>/fd) and its RSS.
// The invariant: whatever failure the suite injected, these return to their baseline — exactly one
// listener connection, a pool within its bound, and descriptors and memory near where they started.
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

export interface GateResources {
  pid: number;
  /** connections by role: pool, listen, lock */
  connections: Record<string, number>;
  fds: number;
  rssBytes: number;
}

/** The gate's pool size (server/db/database.ts openDatabase default). */
export const POOL_MAX = 10;
/**
 * Advisory-lock connections a gate may hold: one per singleton role it can win (the sweeper and the follow
 * scheduler, server/sweeper.ts and server/scheduler.ts), each on its own session.
 */
export const LOCK_CONNECTIONS_MAX = 2;
/**
 * Descriptors a gate may hold above its baseline and still be "back": the pool filling up to its bound, the
 * sweeper's and scheduler's lock connections, and the workers' keep-alive and WebSocket connections coming and going.
 */
export const FD_SLACK = POOL_MAX + 20;
/** RSS above baseline that still counts as back (V8 keeps some heap it grew during the run). */
export const RSS_SLACK_BYTES = 96 * 1024 * 1024;

export async function gateResources(db: pg.Client, pid: number): Promise<GateResources> {
  const { rows } = await db.query<{ role: string; n: number }>(
    `SELECT split_part(application_name, ' ', 3) AS role, count(*)::int AS n
       FROM pg_stat_activity WHERE application_name LIKE $1 GROUP BY 1`,
    [`reyestr-gate ${pid} %`],
  );
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return {
    pid,
    connections: Object.fromEntries(rows.map((r) => [r.role, r.n])),
    fds: readdirSync(`/proc/${pid}/fd`).length,
    rssBytes: rssKb * 1024,
  };
}

/** What is wrong with `now` against `baseline` (same process), as sentences; empty when it is back. */
export function resourceViolations(baseline: GateResources | null, now: GateResources): string[] {
  const out: string[] = [];
  const c = now.connections;
  const who = `gate ${now.pid}`;
  if ((c.listen ?? 0) !== 1) out.push(`${who} holds ${c.listen ?? 0} listener connections (want exactly 1)`);
  if ((c.pool ?? 0) > POOL_MAX) out.push(`${who} holds ${c.pool} pool connections (bound ${POOL_MAX})`);
  if ((c.lock ?? 0) > LOCK_CONNECTIONS_MAX)
    out.push(`${who} holds ${c.lock} lock connections (want at most ${LOCK_CONNECTIONS_MAX})`);
  const others = Object.entries(c).filter(([role]) => !['pool', 'listen', 'lock'].includes(role));
  if (others.length) out.push(`${who} holds unexpected connections: ${JSON.stringify(Object.fromEntries(others))}`);
  if (baseline && baseline.pid === now.pid) {
    if (now.fds > baseline.fds + FD_SLACK)
      out.push(`${who} has ${now.fds} descriptors open (baseline ${baseline.fds})`);
    if (now.rssBytes > baseline.rssBytes + RSS_SLACK_BYTES)
      out.push(`${who} RSS ${mb(now.rssBytes)} (baseline ${mb(baseline.rssBytes)})`);
  }
  return out;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
