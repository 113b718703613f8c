// `reyestr tasks watch` outlives a gate restart on the same address, as workers and the dashboard do: it says
// "reconnecting…" (stderr, or the table's title line on a terminal), and resumes after the last event it showed, so
// an event from while it was away is shown once — not lost, not repeated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../client/commands/tasks-watch.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { cliFor } from './cli-support.ts';

let t: TestGate;
beforeAll(async () => {
  t = await startTestGate('postgres');
});
afterAll(() => t?.stop());

const { start } = cliFor(() => t.url);

const createTask = async (gate: TestGate, region: string): Promise<string> =>
  (await gate.ok(`mutation { createTask(input: { searchParams: { CourtRegion: "${region}" } }) { id } }`)).createTask
    .id;

/** Resolves once `text()` matches `pattern`, checked whenever the child writes; rejects if it exits first. */
function waitFor(
  child: { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream },
  exited: Promise<unknown>,
  text: () => string,
  pattern: RegExp,
) {
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (pattern.test(text())) {
        child.stdout.off('data', check);
        child.stderr.off('data', check);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then(() => reject(new Error(`tasks watch exited before ${pattern}: ${text()}`)));
    check();
  });
}

describe('tasks watch across a gate restart', () => {
  it('reconnects to the same address and shows what happened meanwhile exactly once', async () => {
    const watch = start(['tasks', 'watch', '--lines', '--status', 'pending']);
    const output = () => watch.run.stdout + watch.run.stderr;
    // Tasks until the watcher shows one (its subscription needs a moment to start).
    let before = '';
    for (let i = 0; i < 100 && !watch.run.stdout.includes('CREATED'); i++) {
      before = await createTask(t, '26');
      await Promise.race([
        waitFor(watch.child, watch.exited, output, new RegExp(before)),
        new Promise((resolve) => setTimeout(resolve, 200)),
      ]);
    }
    await waitFor(watch.child, watch.exited, output, new RegExp(before));

    let whileAway = '';
    t = await t.restart(
      {},
      {
        keepPort: true,
        whileDown: async () => {
          await waitFor(watch.child, watch.exited, () => watch.run.stderr, /reconnecting…/);
          // Another gate on the same database, on another port, creates a task while the watched one is down.
          const other = await startTestGate('postgres', {}, t.db);
          whileAway = await createTask(other, '27');
          await other.stop();
        },
      },
    );
    await waitFor(watch.child, watch.exited, () => watch.run.stderr, /reconnected/);
    await waitFor(watch.child, watch.exited, output, new RegExp(whileAway));
    const after = await createTask(t, '28');
    await waitFor(watch.child, watch.exited, output, new RegExp(after));
    watch.child.kill('SIGINT');
    const r = await watch.exited;

    expect(r.code).toBe(0);
    const shown = (id: string) => r.stdout.split('\n').filter((line) => line.includes(id));
    for (const id of [before, whileAway, after]) expect(shown(id), id).toHaveLength(1);
    expect(shown(whileAway)[0]).toMatch(/ CREATED +[0-9a-f-]{36} DOWNLOAD +PENDING /);
    expect(r.stderr).toMatch(new RegExp(`^reyestr: lost the gate at ${t.graphqlUrl} \\(.*\\); reconnecting…$`, 'm'));
    expect(r.stderr).toMatch(new RegExp(`^reyestr: reconnected to ${t.graphqlUrl}$`, 'm'));
    expect(r.stderr.match(/reconnecting…/g)).toHaveLength(1); // once per outage, not once per attempt
  });

  it('on a terminal the title line says it is reconnecting, first so that it fits 80 columns', () => {
    const now = Date.parse('2026-01-01T12:10:00Z');
    const [up] = renderTable([], 30, now, { columns: 100, rows: 24 }).split('\n');
    const [away] = renderTable([], 30, now, { columns: 80, rows: 24 }, 'socket closed (1001)').split('\n');
    expect(up).toMatch(/Z {2}pending 0, claimed 0, running 0 {2}\(Ctrl-C to stop\)$/);
    expect(away).toMatch(/Z {2}reconnecting… \(socket closed \(1001\)\)/); // the counts come after, cut if need be
    expect(away.length).toBeLessThanOrEqual(80);
  });
});
