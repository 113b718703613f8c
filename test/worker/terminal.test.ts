// A worker on an 80-column terminal: progress bars that fit the width and keep rate and ETA, and log lines that
// wrap instead of being cut (the terminal's autowrap is never switched off). Run through a pseudo-terminal
// (util-linux `script`), as an operator's shell would run it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barLine } from '../../client/worker/progress.ts';
import {
  createTask,
  createWorkerKey,
  readOutput,
  startWorkerRig,
  taskOf,
  windowParams,
  type WorkerRig,
} from './support.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences split the output into what each redraw wrote
const SEGMENTS = /\x1b\[[0-9;?]*[A-Za-z]|\r|\n/;

describe('bar lines', () => {
  const fields = {
    label: 'download 3f2a9c1e',
    value: 120,
    total: 1000,
    speed: '12.5',
    etaSeconds: 70.4,
    skipped: 3,
    failed: 1,
  };

  it('fit the width with counts, rate and ETA; the bar shrinks first, then skipped/failed, then the label', () => {
    for (const columns of [200, 120, 80, 60, 40]) {
      const line = barLine(fields, columns);
      expect(line.length, `${columns}: ${line}`).toBeLessThanOrEqual(columns - 1);
      expect(line).toContain('120/1000 docs | 12.5/s | ETA 1m10s');
    }
    expect(barLine(fields, 24).length).toBeLessThanOrEqual(23); // narrower than the counts: cut, never wrapped
    expect(barLine(fields, 120)).toMatch(/^download 3f2a9c1e \[█{5}░{35}\] 120\/1000 docs .* skipped 3 failed 1$/);
    expect(barLine(fields, 80)).toMatch(/^download 3f2a9c1e \[█+░+\] 120\/1000 docs \| 12\.5\/s \| ETA 1m10s$/);
    expect(barLine({ ...fields, etaSeconds: Number.POSITIVE_INFINITY }, 80)).toContain('ETA --');
    expect(barLine({ ...fields, etaSeconds: 7_300 }, 80)).toContain('ETA 2h01m');
  });
});

describe.skipIf(!existsSync('/usr/bin/script'))('a worker on an 80×24 pseudo-terminal', () => {
  let rig: WorkerRig;
  beforeAll(async () => {
    rig = await startWorkerRig({}, { latencyMs: 20 });
  });
  afterAll(() => rig?.stop());

  it('draws bars that fit, with rate and ETA, and leaves long log lines whole', async () => {
    const taskId = await createTask(rig.t, {
      searchParams: windowParams('2023-06-01', '2023-06-10'),
      maxDocuments: 40,
    });
    const outputDir = mkdtempSync(join(tmpdir(), 'reyestr-terminal-'));
    const command = [
      'stty cols 80 rows 24;',
      'exec node bin/reyestr.mjs worker --once --progress bars --concurrency 2 --rate 0',
      `--api-url ${rig.t.url} --registry-url ${rig.registry.url} --output-dir ${outputDir} --client-name terminal-1`,
    ].join(' ');
    const child = spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, REYESTR_API_KEY: await createWorkerKey(rig.t, 'terminal-1'), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(code).toBe(0);
    expect((await taskOf(rig.t, taskId)).status).toBe('COMPLETED');
    expect(readOutput(outputDir)).toHaveLength(40);
    rmSync(outputDir, { recursive: true, force: true });

    expect(out).not.toContain('\x1b[?7l'); // autowrap stays on: long lines wrap, nothing is cut
    const segments = out.split(SEGMENTS);
    const bars = segments.filter((s) => s.includes(' docs | '));
    expect(bars.length).toBeGreaterThan(0);
    for (const bar of bars) {
      expect(bar.length, bar).toBeLessThanOrEqual(79);
      expect(bar).toMatch(/^download [0-9a-f]{8}.* \d+\/\d+ docs \| \d+\.\d\/s \| ETA \S+/);
    }
    // A log line longer than the terminal arrives whole (the terminal wraps it).
    const claimed = segments.find((s) => s.includes(`claimed download ${taskId.slice(0, 8)}`));
    expect(claimed?.length).toBeGreaterThan(80);
    expect(claimed).toContain('"RegDateEnd":"10.06.2023"');
  });
});
