// README's "Try it offline in 5 minutes", run as written: its ```sh blocks are taken from README.md and typed into
// three bash terminals in the repository's folder (the first block — clone, install, demo — is not: this checkout
// is installed already, and test/readme/demo.test.ts runs the demo). Only what a person would change is changed:
// the ports (tests pick free ones: API_PORT and FAKE_REGISTRY_PORT, and the two URLs), the folder and log files
// (into a temp dir), and the two things README says to copy — the key the gate printed and a document id.
// ./try-data starts as a copy of the migrated PGlite template (no keys in it, so this is still the gate's first
// start and it prints the admin key): a new data directory's initdb is the demo's to prove (demo.test.ts runs
// `npm run demo` on a fresh one), and it cost this file 20–30 s at load 10.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { pgliteDataDir } from '../support/databases.ts';
import { freePort } from '../support/pg-cluster.ts';
import { eventually } from '../worker/support.ts';
import { openTerminal, shellBlocks, type Terminal } from './terminal.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const terminals: Terminal[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'reyestr-walkthrough-'));

afterAll(async () => {
  await Promise.all(terminals.map((t) => t.close()));
  rmSync(scratch, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

// The README's steps, one test each (they share the terminals): each waits on what its step prints.
const [setup, ...blocks] = shellBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'), 'Try it offline in 5 minutes');
const dataDir = pgliteDataDir();
const values: Record<string, string> = {
  './try-data': dataDir,
  'w1.log': join(scratch, 'w1.log'),
  'w2.log': join(scratch, 'w2.log'),
};
const fill = (line: string) => Object.entries(values).reduce((text, [from, to]) => text.replaceAll(from, to), line);
const commands = (lines: string[]) => lines.filter((line) => !line.startsWith('#')).map(fill);
const open = (env: Record<string, string> = {}) => {
  const terminal = openTerminal(ROOT, {
    PATH: process.env.PATH!,
    HOME: scratch, // the workers' outbox defaults under it
    LANG: 'C.UTF-8',
    ...env,
  });
  terminals.push(terminal);
  return terminal;
};
let gatePort = 0;
let key = '';
let shell: Terminal;

it('the walkthrough has the setup block and three terminals', () => {
  expect(setup.join('\n')).toMatch(/npm install[\s\S]*npm run demo/);
  expect(blocks.map((lines) => /^# terminal (\d)/.exec(lines[0])?.[1])).toEqual(['1', '2', '3', '3']);
});

it('terminal 1 and 2: the gate prints its URLs and the admin key; the fake registry starts', async () => {
  const registryPort = await freePort();
  gatePort = await freePort();
  values['http://localhost:8000'] = `http://localhost:${gatePort}`;
  values['http://127.0.0.1:8090'] = `http://127.0.0.1:${registryPort}`;
  const gate = open({ API_PORT: String(gatePort) });
  gate.start(commands(blocks[0])[0]);
  const registry = open({ FAKE_REGISTRY_PORT: String(registryPort) });
  registry.start(commands(blocks[1])[0]);
  [, key] = await gate.waitFor(/store it now:\s+(\S+)/, 'admin key');
  expect(gate.output()).toContain(`Dashboard: http://localhost:${gatePort}/dashboard`);
  values['<the key the gate printed>'] = key;
  await registry.waitFor(/fake registry listening on .*10 decisions a day/, 'the fake registry');
});

it('terminal 3: two workers and a plan; tasks watch shows the work until Ctrl-C', async () => {
  shell = open();
  const work = commands(blocks[2]);
  const watchLine = work.pop()!;
  expect(watchLine).toBe('reyestr tasks watch');
  let planned = '';
  for (const line of work) planned = await shell.type(line);
  const planId = /created plan (\S+):/.exec(planned)?.[1];
  expect(planId, planned).toBeTruthy();
  const watch = shell.start(watchLine);
  // Ctrl-C once the plan is downloaded (asked of the gate, as the dashboard would show it) and the view showed work.
  await eventually(async () => (await coverageOf(gatePort, key, planId!)).complete, 240_000, 'the plan to be covered');
  await shell.waitFor(/ COMPLETED +\S+ (PLAN|DOWNLOAD) /, 'a completed task in tasks watch');
  shell.interrupt(/tasks watch/);
  expect(await watch.ended).toMatch(/ COMPLETED +\S+ (PLAN|DOWNLOAD) /);
});

it('terminal 3: coverage says complete, documents list shows five, documents get --text prints a decision', async () => {
  const [coverage, list, get] = commands(blocks[3]);
  expect(await shell.type(coverage)).toMatch(/COMPLETE; expected 30, planned 30, downloaded 30/);
  const listed = await shell.type(list);
  const rows = listed.split('\n').filter((row) => /^\d+ +\d{4}-/.test(row));
  expect(rows).toHaveLength(5);
  const documentId = rows[0].split(' ')[0];
  values['<a DOCUMENT from the list>'] = documentId;
  const text = await shell.type(fill(get));
  expect(text).toContain(`документ ${documentId}`);
  expect(text).toMatch(/Справа № \S+/);
});

async function coverageOf(port: number, key: string, planId: string): Promise<{ complete: boolean }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({
      query: 'query($id: ID!) { coverage(planId: $id) { complete } }',
      variables: { id: planId },
    }),
  });
  return ((await response.json()) as { data: { coverage: { complete: boolean } } }).data.coverage;
}
