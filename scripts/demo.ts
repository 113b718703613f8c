/**
 * `npm run demo [-- --port 8000 --registry-port 8090]`: reyestr on this machine in one command, offline. It starts
 * a gate on embedded PostgreSQL (a fresh data directory), the fake registry (10 decisions a day) and two workers,
 * plans three days of one search, waits until the plan is covered, shows what was downloaded, then prints the
 * dashboard's URL and the key and keeps running until Ctrl-C (which stops everything and deletes the data).
 * Every step is what README's "Try it offline in 5 minutes" does by hand: the gate and workers are the same
 * `reyestr serve` / `reyestr worker` processes, and the results are printed by the same CLI commands.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startFakeRegistry } from '../test/fake-registry/index.ts';

const BIN = resolve(import.meta.dirname, '../bin/reyestr.mjs');
const PLAN = [
  '-p',
  'CourtRegion=11',
  '-p',
  'INSType=1',
  '--from',
  '01.03.2024',
  '--to',
  '03.03.2024',
  '--window',
  'day',
];
const PER_DAY = 10;
const PLAN_DEADLINE_MS = 5 * 60_000;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    'registry-port': { type: 'string', default: '8090' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run demo [-- --port 8000 --registry-port 8090]');
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'reyestr-demo-'));
const children: ChildProcess[] = [];
let registryClose: (() => Promise<void>) | undefined;
let stopping = false;

/** Stops the workers first (they hand their tasks back), then the gate and the registry; deletes the data. */
async function stop(code: number): Promise<never> {
  stopping = true;
  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((done) => child.once('exit', () => done()));
  const [gate, ...workers] = children;
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map(exited));
  gate?.kill('SIGTERM');
  if (gate) await exited(gate);
  await registryClose?.();
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => {
  if (stopping) return;
  console.log('\nstopping the workers, the gate and the fake registry …');
  void stop(0);
});
process.on('SIGTERM', () => void stop(0));
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function fail(message: string): Promise<never> {
  console.error(`demo: ${message}`);
  return stop(1);
}

/** A process whose output goes to `<dir>/<name>.log`; it failing while the demo runs ends the demo. */
function startProcess(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const log = createWriteStream(join(dir, `${name}.log`));
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C reaches only the demo, which stops the workers before the gate.
    detached: true,
  });
  let lastError = '';
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  child.stderr!.on('data', (chunk) => (lastError = String(chunk).trim().split('\n').pop() ?? lastError));
  child.once('exit', (code) => {
    if (!stopping) void fail(`${name} stopped (exit ${code})${lastError ? `: ${lastError}` : ''}`);
  });
  children.push(child);
  return child;
}

/** Resolves with the first match of `pattern` in the process's stdout. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((done) => {
    let seen = '';
    child.stdout!.on('data', (chunk) => {
      seen += chunk;
      const match = pattern.exec(seen);
      if (match) done(match);
    });
  });
}

console.log(`reyestr demo — data in ${dir} (deleted when it stops)\n`);

// 1. The gate, on embedded PostgreSQL in a fresh directory: its first start creates and prints an admin key.
const gate = startProcess('gate', ['serve'], {
  DATA_DIR: join(dir, 'data'),
  API_HOST: '127.0.0.1',
  API_PORT: values.port,
  LOG_LEVEL: 'warn',
});
const started = waitForOutput(gate, /listening on (\S+)[\s\S]*?store it now:\s+(\S+)/);
// 2. The fake registry, in this process.
const registry = await startFakeRegistry({ port: Number(values['registry-port']), dayCount: () => PER_DAY }).catch(
  (error: NodeJS.ErrnoException) =>
    fail(
      error.code === 'EADDRINUSE'
        ? `port ${values['registry-port']} is in use; pick another with --registry-port`
        : String(error),
    ),
);
registryClose = () => registry.close();
const [, gateUrl, key] = await started;
console.log(`gate        ${gateUrl}  (embedded PostgreSQL)`);
console.log(`registry    ${registry.url}  (the fake one, ${PER_DAY} decisions a day)`);

const cliEnv = { REYESTR_API_URL: gateUrl, REYESTR_API_KEY: key, NO_COLOR: '1' };
const run = promisify(execFile);
const cli = async (args: string[]) =>
  (await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...cliEnv } })).stdout;

// 3. Two workers (the admin key serves them here; a real one gets a WORKER key: reyestr keys create --role worker).
for (const name of ['demo-worker-1', 'demo-worker-2']) {
  startProcess(
    name,
    ['worker', '--registry-url', registry.url, '--rate', '0', '--client-name', name, '--progress', 'lines'],
    {
      ...cliEnv,
      REYESTR_OUTBOX_DIR: join(dir, `outbox-${name}`),
    },
  );
}
console.log('workers     demo-worker-1, demo-worker-2');

// 4. A plan: three days of one search, one PLAN task per day; the workers plan and download it.
console.log(`\n$ reyestr tasks plan ${PLAN.join(' ')}`);
const plan = JSON.parse(await cli(['tasks', 'plan', ...PLAN, '--json'])) as { plan: { id: string } };
console.log(`plan ${plan.plan.id}; waiting for the workers to cover it …`);

const coverage = async () => {
  const response = await fetch(`${gateUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({
      query: 'query($id: ID!) { coverage(planId: $id) { complete expected downloaded windowsPlanning } }',
      variables: { id: plan.plan.id },
    }),
  });
  return (
    (await response.json()) as {
      data: { coverage: { complete: boolean; expected: number; downloaded: number; windowsPlanning: number } };
    }
  ).data.coverage;
};
const deadline = Date.now() + PLAN_DEADLINE_MS;
let shown = '';
for (let c = await coverage(); !c.complete; c = await coverage()) {
  const planning = c.windowsPlanning ? ` (${c.windowsPlanning} day(s) still being planned)` : '';
  const line = `  downloaded ${c.downloaded} of the ${c.expected} decisions found so far${planning}`;
  if (line !== shown) console.log(line);
  shown = line;
  if (Date.now() > deadline) await fail(`the plan was not covered within ${PLAN_DEADLINE_MS / 1000} s; logs in ${dir}`);
  await new Promise((r) => setTimeout(r, 500));
}

// 5. What came of it, through the CLI.
for (const args of [
  ['coverage', '--plan', plan.plan.id.slice(0, 8)],
  ['documents', 'list', '--limit', '5'],
]) {
  console.log(`\n$ reyestr ${args.join(' ')}`);
  process.stdout.write(await cli(args));
}
const [first] = (
  JSON.parse(await cli(['documents', 'list', '--limit', '1', '--json'])) as {
    documents: Array<{ documentId: string }>;
  }
).documents;
console.log(`\n$ reyestr documents get ${first.documentId} --text`);
process.stdout.write(await cli(['documents', 'get', first.documentId, '--text']));

console.log(`
The demo is running — Ctrl-C stops it.
  Dashboard   ${gateUrl}/dashboard   (it asks for the key once)
  GraphiQL    ${gateUrl}/graphql
  API key     ${key}
  Logs        ${dir}/*.log
In another terminal, in this folder:
  export REYESTR_API_URL=${gateUrl} REYESTR_API_KEY=${key}
  npx reyestr tasks plan -p CourtRegion=11 --from 04.03.2024 --to 10.03.2024 --window day
  npx reyestr tasks watch
  npx reyestr documents search "позов" --limit 5`);
