// The systemd units in deploy/ are valid (systemd-analyze verify, when Debian's systemd is installed) and the
// worker unit names only variables the worker reads, gives each instance a stable name and a writable outbox.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const unit = readFileSync('deploy/reyestr-worker.service', 'utf8');
const workerSource = readFileSync('client/commands/worker.ts', 'utf8');
const hasSystemd = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

it('the worker unit sets and documents only REYESTR_* variables the worker reads', () => {
  const read = new Set([...workerSource.matchAll(/,\s*'([A-Z][A-Z_]*)',?\s*\)/g)].map((m) => `REYESTR_${m[1]}`));
  expect(read.size).toBeGreaterThan(10);
  const named = new Set([...unit.matchAll(/\b(REYESTR_[A-Z_]+)\b/g)].map((m) => m[1]));
  for (const name of ['REYESTR_API_URL', 'REYESTR_API_KEY', 'REYESTR_CLIENT_NAME', 'REYESTR_OUTBOX_DIR']) {
    expect(named).toContain(name);
  }
  expect([...named].filter((name) => !read.has(name))).toEqual([]);
  expect(unit).not.toMatch(/\b(GATE_URL|API_KEY|WORKER_NAME)=/m); // the older names the worker never read
  // a stable name per instance, an outbox systemd makes writable under ProtectSystem=strict
  expect(unit).toMatch(/REYESTR_CLIENT_NAME=%H-%i/);
  expect(unit).toMatch(/StateDirectory=reyestr-worker/);
  expect(unit).toMatch(/REYESTR_OUTBOX_DIR=\/var\/lib\/reyestr-worker\//);
});

it.skipIf(!hasSystemd)('systemd-analyze verify accepts both units', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reyestr-units-'));
  try {
    for (const name of ['reyestr-worker', 'reyestr-gate']) {
      copyFileSync(`deploy/${name}.service`, join(dir, `${name}@.service`));
      const out = execFileSync('systemd-analyze', ['verify', join(dir, `${name}@1.service`)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toBe('');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
