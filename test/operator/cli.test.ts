// The operator CLI as people run it: `node bin/reyestr.mjs …` against a real gate, --json parsed back,
// exit codes and one-line errors; `tasks watch` in its non-TTY modes and on a pseudo-terminal.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClientCommands } from '../../client/commands/clients.ts';
import { registerCoverageCommand } from '../../client/commands/coverage.ts';
import { registerPauseCommands } from '../../client/commands/pause.ts';
import { registerDocumentCommands } from '../../client/commands/documents.ts';
import { registerKeyCommands } from '../../client/commands/keys.ts';
import { registerStatsCommand } from '../../client/commands/stats.ts';
import { registerTaskCommands } from '../../client/commands/tasks.ts';
import { bar, renderTable } from '../../client/commands/tasks-watch.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { cliFor, expectErrorLine, type Run } from './cli-support.ts';

let t: TestGate;
beforeAll(async () => {
  t = await startTestGate('postgres');
});
afterAll(() => t?.stop());

const { start, cli, cliJson } = cliFor(() => t.url);

describe('tasks', () => {
  it('creates, gets and lists tasks; --json output parses back', async () => {
    const created = await cliJson(
      'tasks',
      'create',
      '-p',
      'CourtRegion=11',
      '--param',
      'INSType=1,2',
      '--max-documents',
      '250',
      '--priority',
      '7',
    );
    expect(created).toMatchObject({
      kind: 'DOWNLOAD',
      status: 'PENDING',
      priority: 7,
      maxDocuments: 250,
      searchParams: { CourtRegion: ['11'], INSType: ['1', '2'] },
    });
    const fromJson = await cliJson(
      'tasks',
      'create',
      '--params-json',
      '{"CourtRegion":["14"],"VRType":"5"}',
      '--run-at',
      '+1h',
    );
    expect(fromJson.searchParams).toEqual({ CourtRegion: ['14'], VRType: ['5'] });

    const [got, listed, text, byParam] = await Promise.all([
      cliJson('tasks', 'get', created.id),
      cliJson('tasks', 'list', '--status', 'pending', '--kind', 'download'),
      cli(['tasks', 'list', '--limit', '1']),
      cliJson('tasks', 'list', '-p', 'CourtRegion=14'),
    ]);
    expect(got).toMatchObject({ id: created.id, events: [{ type: 'CREATED', status: 'PENDING' }] });
    expect(listed.tasks.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([created.id, fromJson.id]));
    expect(text.stdout.split('\n')[0].split(/\s+/)).toEqual([
      'ID',
      'KIND',
      'STATUS',
      'PRIO',
      'PROGRESS',
      'WORKER',
      'CREATED',
      'PARAMS',
    ]);
    expect(text.stdout).toMatch(/1 of \d+ task\(s\)/);
    expect(byParam.tasks.map((x: { id: string }) => x.id)).toEqual([fromJson.id]);
  });

  it('cancels and retries; a second cancel is a conflict (exit 6)', async () => {
    const { id } = await cliJson('tasks', 'create', '-p', 'CourtRegion=11');
    expect(await cliJson('tasks', 'cancel', id)).toEqual([{ id, status: 'CANCELLED', error: null }]);
    expectErrorLine(await cli(['tasks', 'cancel', id]), 6, /CANCELLED: only pending or running tasks can be cancelled/);
    expect((await cli(['tasks', 'retry', id])).stdout).toBe(`${id} PENDING\n`);
  });

  it('exit codes: usage 2, refused input 2, not found 3, unreachable 4, no or wrong key 5', async () => {
    const missing = '0b6c5f70-1b8e-4f5b-9d0e-000000000000';
    const [usage, badParam, notFound, unreachable, noKey, badRunAt] = await Promise.all([
      cli(['tasks', 'create', '--max-documents', 'lots']),
      cli(['tasks', 'create', '-p', 'CourtRegion=99']),
      cli(['tasks', 'get', missing]),
      cli(['stats'], { REYESTR_API_URL: 'http://127.0.0.1:9' }),
      cli(['tasks', 'list'], { REYESTR_API_KEY: '' }),
      cli(['tasks', 'create', '--run-at', 'soon']),
    ]);
    expectErrorLine(usage, 2, /--max-documents must be a whole number/);
    expectErrorLine(
      badParam,
      2,
      /CourtRegion: "99" is not one of 2 \(Автономна Республіка Крим\), .*11 \(Київська область\)/,
    );
    expectErrorLine(notFound, 3, new RegExp(`task ${missing} not found`));
    expectErrorLine(unreachable, 4, /gate unreachable/);
    expectErrorLine(noKey, 5, /API key required/);
    expectErrorLine(badRunAt, 2, /--run-at must be an ISO date-time/);
  });

  it('plans a search (dry run and for real) and shows its coverage', async () => {
    const args = [
      'tasks',
      'plan',
      '-p',
      'CourtRegion=11',
      '-p',
      'INSType=1',
      '--from',
      '01.01.2024',
      '--to',
      '31.12.2024',
      '--window',
      'month',
      '--chunk',
      '100',
    ];
    const dry = await cliJson(...args, '--dry-run');
    expect(dry.windows).toHaveLength(12);
    expect(dry.windows[0]).toMatchObject({
      from: '2024-01-01',
      to: '2024-01-31',
      searchParams: { RegDateBegin: '01.01.2024', RegDateEnd: '31.01.2024', Sort: '2' },
    });
    expect(await t.ok(`{ plans { id } }`)).toEqual({ plans: [] });

    const planned = await cliJson(...args);
    expect(planned).toMatchObject({
      created: true,
      windows: 12,
      plan: { from: '2024-01-01', to: '2024-12-31', window: 'month', chunkSize: 100 },
    });
    expect(planned.tasks).toHaveLength(12);
    const again = await cli(args);
    expect(again.stdout).toMatch(
      new RegExp(
        `^found existing plan ${planned.plan.id}: 12 window\\(s\\) 2024-01-01..2024-12-31, 0 new plan task\\(s\\)`,
      ),
    );

    const [coverage, all, text] = await Promise.all([
      cliJson('coverage', '--plan', planned.plan.id),
      cliJson('coverage'),
      cli(['coverage', '--plan', planned.plan.id]),
    ]);
    expect(coverage).toMatchObject({ complete: false, windowsPlanning: 12, expected: 0 });
    expect(coverage.windows.every((w: { state: string }) => w.state === 'PLANNING')).toBe(true);
    expect(all).toEqual([
      expect.objectContaining({ plan: expect.objectContaining({ id: planned.plan.id }), windowsPlanning: 12 }),
    ]);
    expect(text.stdout).toMatch(
      /incomplete; expected 0, planned 0, downloaded 0\n {2}skipped 0 \(another task had them\), missing 0; 12 window\(s\), 12 not planned yet, 0 gap\(s\)/,
    );
    expectErrorLine(
      await cli(['tasks', 'plan', '-p', 'RegDateBegin=01.01.2024', '--from', '01.01.2024', '--to', '02.01.2024']),
      2,
      /RegDateBegin: is set by the plan/,
    );
  });
});

describe('keys, clients, documents, stats', () => {
  it('creates a key (printed once), lists and revokes it; a worker key may not create tasks', async () => {
    const created = await cliJson('keys', 'create', '--name', 'worker-cli', '--role', 'worker');
    expect(created.key).toMatch(/.{16,}/);
    const plain = await cli(['keys', 'create', '--name', 'worker-cli-2']);
    expect(plain.stdout.trim()).not.toContain(' ');
    expect(plain.stderr).toMatch(/shown only this once/);
    const forbidden = await cli(['tasks', 'create', '-p', 'CourtRegion=11'], { REYESTR_API_KEY: created.key });
    expectErrorLine(forbidden, 5, /admin/);
    const keys = await cliJson('keys', 'list');
    expect(keys.map((k: { id: string }) => k.id)).toContain(created.apiKey.id);
    expect(JSON.stringify(keys)).not.toContain(created.key);
    expect(await cliJson('keys', 'revoke', created.apiKey.id)).toMatchObject({
      id: created.apiKey.id,
      revokedAt: expect.any(String),
    });
    expectErrorLine(await cli(['tasks', 'list'], { REYESTR_API_KEY: created.key }), 5, /key/i);
  });

  it('lists workers and documents, gets a document, prints stats', async () => {
    const { registerClient } = await t.ok(
      `mutation { registerClient(input: { name: "cli-worker", host: "box" }) { id } }`,
    );
    await t.ok(
      `mutation($c: ID!) { registerDocuments(input: { clientId: $c, documents: [{ documentId: "101476997", sizeBytes: 1234, metadata: { caseNumber: "1/2/3" } }] }) { created } }`,
      { c: registerClient.id },
    );
    const [clients, documents, document, missing, stats, statsText] = await Promise.all([
      cliJson('clients', 'list'),
      cliJson('documents', 'list'),
      cliJson('documents', 'get', '101476997'),
      cli(['documents', 'get', '999']),
      cliJson('stats', '--minutes', '5'),
      cli(['stats']),
    ]);
    expect(clients).toEqual([
      expect.objectContaining({ id: registerClient.id, name: 'cli-worker', status: 'ACTIVE', currentTasks: [] }),
    ]);
    expect(documents).toMatchObject({
      totalCount: 1,
      documents: [{ documentId: '101476997', sizeBytes: 1234, client: { name: 'cli-worker' } }],
    });
    expect(document).toMatchObject({ documentId: '101476997', metadata: { caseNumber: '1/2/3' } });
    expectErrorLine(missing, 3, /document 999 not found/);
    expect(stats).toMatchObject({ tasksTotal: expect.any(Number), activeClients: 1, documentsTotal: 1 });
    expect(statsText.stdout).toMatch(/^tasks: +\d+: \d+ pending/);
  });
});

describe('tasks watch', () => {
  /** Creates tasks until the watcher has printed what `done` wants (the subscription needs a moment to start). */
  async function feed(_run: Run, done: () => boolean, exited: Promise<Run>) {
    let finished = false;
    void exited.then(() => (finished = true));
    // Until the watcher has what it waits for (or has exited): a watcher that starts late on a busy box must still
    // see events, so the feed is bounded by the test's own deadline, not by a count of ticks.
    while (!done() && !finished) {
      await t.ok(`mutation { createTask(input: { searchParams: { CourtRegion: "27" } }) { id } }`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  it('prints one line per event and exits 0 on Ctrl-C (SIGINT)', async () => {
    const watch = start(['tasks', 'watch', '--kind', 'download']);
    await feed(watch.run, () => watch.run.stdout.split('\n').length > 2, watch.exited);
    watch.child.kill('SIGINT');
    const r = await watch.exited;
    expect(r.code, `exit ${r.code}; stderr: ${r.stderr}`).toBe(0);
    expect(r.stderr).toBe('');
    const line = r.stdout.split('\n')[0].split(/\s+/);
    expect(line[2]).toBe('CREATED');
    expect(line[3]).toMatch(/^[0-9a-f-]{36}$/);
    expect(line.slice(4, 6)).toEqual(['DOWNLOAD', 'PENDING']);
  });

  it('--json prints one event object per line; --count stops after that many', async () => {
    // --replay 0: the two events are ones this test's feed makes. With the default (the last 100 events) they were
    // the log's 100th-last and on, which on a busy box — the test before fed tasks for as long as its watcher took
    // to start — could be another test's RETRIED or a PLAN task's CREATED.
    const watch = start(['tasks', 'watch', '--json', '--count', '2', '--status', 'pending', '--replay', '0']);
    await feed(watch.run, () => false, watch.exited);
    const r = await watch.exited;
    expect(r.code, `exit ${r.code}; stderr: ${r.stderr}; stdout: ${r.stdout}`).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events, r.stdout).toHaveLength(2);
    expect(events[0]).toMatchObject({
      type: 'CREATED',
      status: 'PENDING',
      task: { kind: 'DOWNLOAD', documentsDownloaded: 0 },
    });
    expect(events[1].seq).toBeGreaterThan(events[0].seq);
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'on a terminal: redraws a live table, restores the cursor, exits 0',
    async () => {
      // util-linux `script` gives the watcher a pseudo-terminal, as an operator's shell would.
      const child = spawn('/usr/bin/script', ['-qfec', 'node bin/reyestr.mjs tasks watch --count 2', '/dev/null'], {
        env: { ...process.env, REYESTR_API_URL: t.url, REYESTR_API_KEY: ADMIN_KEY, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const run: Run = { code: null, stdout: '', stderr: '' };
      child.stdout.on('data', (chunk) => (run.stdout += chunk));
      const exited = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ ...run, code })));
      await feed(run, () => false, exited);
      const r = await exited;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('\x1b[2J'); // the screen is redrawn, not scrolled
      expect(r.stdout).toMatch(/TASK\s+KIND\s+STATUS\s+WORKER\s+PROGRESS/);
      expect(r.stdout).toMatch(/[0-9a-f]{8} DOWNLOAD PENDING/);
      expect(r.stdout.trimEnd().endsWith('\x1b[?25h')).toBe(true); // the cursor is given back
    },
  );

  it('renders the live table: progress bar, rate and ETA', () => {
    const now = Date.parse('2026-01-01T12:10:00Z');
    const running = {
      id: '3f2a9c1e-0000-4000-8000-000000000000',
      kind: 'DOWNLOAD',
      status: 'RUNNING',
      documentsDownloaded: 50,
      totalExpected: 100,
      maxDocuments: 100,
      startedAt: '2026-01-01T12:00:00Z',
      updatedAt: '2026-01-01T12:09:00Z',
      leaseHolder: { name: 'w1' },
    } as const;
    const lines = renderTable([running], 10, now).split('\n');
    expect(lines[0]).toMatch(/pending 0, claimed 0, running 1/);
    expect(lines[3].split(/\s+/)).toEqual([
      '3f2a9c1e',
      'DOWNLOAD',
      'RUNNING',
      'w1',
      '[##########..........]',
      '50%',
      '50/100',
      '5.0',
      '10m',
    ]);
    expect(bar(0, 0)).toBe('[....................]   0%');
  });
});

describe('--help', () => {
  it('every operator command explains itself with an example', () => {
    let printed = '';
    const program = new Command('reyestr').configureOutput({
      writeOut: (text) => (printed += text),
      writeErr: () => {},
    });
    for (const register of [
      registerTaskCommands,
      registerClientCommands,
      registerKeyCommands,
      registerDocumentCommands,
      registerStatsCommand,
      registerCoverageCommand,
      registerPauseCommands,
    ])
      register(program);
    const leaves = program.commands.flatMap((c) => (c.commands.length ? c.commands : [c]));
    expect(leaves.map((c) => (c.parent === program ? c.name() : `${c.parent!.name()} ${c.name()}`))).toEqual([
      'tasks create',
      'tasks plan',
      'tasks list',
      'tasks get',
      'tasks watch',
      'tasks cancel',
      'tasks retry',
      'tasks priority',
      'clients list',
      'keys create',
      'keys list',
      'keys revoke',
      'documents list',
      'documents get',
      'documents search',
      'documents stats',
      'documents export',
      'documents import',
      'documents pull',
      'documents failed',
      'documents retry',
      'stats',
      'coverage',
      'pause queue',
      'pause plan',
      'pause follow',
      'pause worker',
      'pause status',
      'resume queue',
      'resume plan',
      'resume follow',
      'resume worker',
    ]);
    for (const command of leaves) {
      printed = '';
      command.outputHelp();
      expect(printed, command.name()).toMatch(/--api-url <url>[\s\S]*--json[\s\S]*Example:\n {2}reyestr /);
    }
  });
});
