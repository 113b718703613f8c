// One gate per embedded data directory. PGlite runs inside the gate's process, so two gates on one directory are two
// writers on one database that know nothing of each other (a probe lost half of the tasks it created). The gate
// takes `<dir>/reyestr-gate.lock` before it opens the database: the file names the holder (pid, host, the process's
// start time), and a second gate refuses at once with one line naming the directory and that pid. A lock left by a
// gate that crashed is stale when its pid is not running — or runs a different process (the start time differs):
// it is cleared and taken.
//
// Why a pid file and not proper-lockfile: proper-lockfile judges staleness by the lock's age, which the holder
// refreshes on a timer — after a crash a restart waits until the lock ages out (10 s by default), a gate whose event
// loop stalls past that loses its lock while still writing, and the lock says nothing about who holds it. A pid with
// a liveness check knows at once and can name the holder. Its limit: liveness can only be checked on the same host;
// a lock taken on another host (a data directory on a network share) is never cleared automatically.
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'reyestr-gate.lock';

interface Holder {
  pid: number;
  host: string;
  /** the process's start time (clock ticks since boot, Linux /proc), null where it cannot be read */
  started: string | null;
}

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

export interface DataDirLock {
  release(): void;
}

/** Locks this process holds (a second gate in the same process must be refused too). */
const held = new Set<string>();

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so count from its end. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isRunning(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid runs; is it still the process that took the lock (pids are reused, e.g. after a restart)?
  const started = startTimeOf(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

function readHolder(text: string): Holder | null {
  try {
    const holder = JSON.parse(text) as Holder;
    return Number.isInteger(holder.pid) && typeof holder.host === 'string' ? holder : null;
  } catch {
    return null;
  }
}

const describeHolder = (holder: Holder) =>
  `pid ${holder.pid}${holder.host === hostname() ? '' : ` on host ${holder.host}`}`;

/** Takes the data directory's lock, clearing a stale one; DataDirInUseError when a live gate holds it. */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), started: startTimeOf(process.pid) };
  if (held.has(path)) throw new DataDirInUseError(`the data directory ${dir} is already open in this process`);
  for (let attempt = 0; attempt < 5; attempt++) {
    // Written aside and linked into place: the lock appears whole or not at all (a reader never sees half of it).
    const draft = `${path}.${process.pid}.${attempt}`;
    writeFileSync(draft, `${JSON.stringify(me)}\n`);
    try {
      linkSync(draft, path);
      held.add(path);
      return { release: () => release(path, me) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(draft, { force: true });
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // released meanwhile: try again
    }
    const holder = readHolder(text);
    if (holder && (holder.host !== me.host || (holder.pid !== process.pid && isRunning(holder)))) {
      throw new DataDirInUseError(
        `the data directory ${dir} is in use by another gate (${describeHolder(holder)}); stop that gate or give this one another DATA_DIR${holder.host === me.host ? '' : ` (if it is not running, delete ${path})`}`,
      );
    }
    clearStale(path, text);
  }
  throw new DataDirInUseError(
    `the data directory ${dir} is being locked by another gate at the same moment; try again`,
  );
}

/**
 * Removes a stale lock — only the one that was read: it is moved aside first (atomic), and if what was moved turns out
 * to be a lock another gate took meanwhile, it is put back.
 */
function clearStale(path: string, staleText: string): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already
  }
  const moved = readFileSync(aside, 'utf8');
  if (moved !== staleText) {
    try {
      linkSync(aside, path);
    } catch {
      // a third gate took the lock meanwhile; the one moved aside is lost to its holder, which still runs fine
    }
  }
  rmSync(aside, { force: true });
}

function release(path: string, me: Holder): void {
  if (!held.delete(path)) return;
  try {
    if (readHolder(readFileSync(path, 'utf8'))?.pid === me.pid) unlinkSync(path);
  } catch {
    // already gone
  }
}
