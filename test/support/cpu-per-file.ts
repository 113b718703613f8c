// Set-up file of the `integration` and `isolated` projects (vitest.config.ts): with TEST_CPU_LOG=<file>, appends one
// JSON line per test file — the CPU its fork used while the file ran (`self`: user+sys of the fork; `children`: of
// the processes it started and waited for — gates, workers, CLIs, Chromium — as the kernel adds them to the fork's
// cutime/cstime when they exit) and its wall time. The suite is CPU-bound on a 2-core box, and wall time under
// other engineers' load says little; vitest's own durations are wall. PostgreSQL's CPU is not counted (its server
// is not a child of the fork), nor the `unit` project's (threads share one process).
import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, expect } from 'vitest';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node runs on

/** This process's CPU seconds (fields 14–17 of /proc/self/stat: utime, stime, cutime, cstime). */
function cpuSeconds(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // fields after the command name (which may hold spaces) start at field 3
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]) / CLOCK_TICKS_PER_SECOND);
  return { self: utime + stime, children: cutime + cstime };
}

const log = process.env.TEST_CPU_LOG;
if (log) {
  // Set-up files run before the test file is imported, so its imports count too.
  const start = cpuSeconds();
  const startedAt = Date.now();
  // Registered before left-open.ts's afterAll, so it runs after it (vitest runs after-hooks in reverse): the
  // processes that one waits for are counted.
  afterAll(() => {
    const end = cpuSeconds();
    const round = (seconds: number) => Math.round(seconds * 100) / 100;
    const line = {
      file: relative(process.cwd(), expect.getState().testPath ?? ''),
      self: round(end.self - start.self),
      children: round(end.children - start.children),
      wall: round((Date.now() - startedAt) / 1000),
    };
    appendFileSync(log, `${JSON.stringify(line)}\n`);
  });
}
