// Set-up file of the `integration` project (vitest.config.ts), whose files run one after another in one process with
// one module cache: after each test file, checks that the file left nothing open behind it — no gate database
// (server/db/database.ts keeps one per process and refuses a second) and no child process still running —
// which would otherwise fail the next file, or keep running unseen. What is found is closed (so the next file
// starts clean) and reported as this file's failure.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { WAIT_FLOOR_MS } from './deadlines.ts';

/** The processes this process started that are still running (their pids and command lines). */
function childProcesses(): Array<{ pid: number; command: string }> {
  const children: Array<{ pid: number; command: string }> = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let pids: string;
    try {
      pids = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const pid of pids.split(' ').filter(Boolean).map(Number)) {
      let command = '';
      try {
        command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      } catch {
        continue; // it exited meanwhile
      }
      // A zombie (exited, not yet reaped by Node's loop) has no command line; it is not running.
      if (command) children.push({ pid, command });
    }
  }
  return children;
}

async function closedChildProcesses(): Promise<string[]> {
  // A file's afterAll may signal its processes without waiting for their exit: give them the time a stop takes.
  const deadline = Date.now() + WAIT_FLOOR_MS;
  let left = childProcesses();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = childProcesses();
  }
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  return left.map(({ pid, command }) => `process ${pid} (${command.slice(0, 200)})`);
}

async function closedDatabase(): Promise<string[]> {
  // The module the gates of every file in this process share (loaded once per process, like everything here).
  const db = await import('../../server/db/database.ts');
  if (!db.database) return [];
  await db.closeDatabase();
  return ["the gate's database (a gate not stopped?)"];
}

afterAll(async () => {
  const left = [...(await closedDatabase()), ...(await closedChildProcesses())];
  if (left.length > 0) throw new Error(`this test file left open (now closed): ${left.join('; ')}`);
});
