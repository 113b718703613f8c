// `npm run demo`, as README tells a newcomer to run it: one command that starts a gate on embedded storage, the
// fake registry and two workers, plans a small window, shows the results, prints the URLs and the key, and
// stops everything (deleting its data) on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../support/pg-cluster.ts';
import { eventually } from '../worker/support.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let demo: ReturnType<typeof spawn> | undefined;

afterAll(() => {
  if (demo && groupAlive(demo.pid!)) process.kill(-demo.pid!, 'SIGKILL');
});

/** Whether any process of the demo's process group (npm, tsx, the demo) is still running. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

it('npm run demo covers a plan, prints the URLs and a working key, and Ctrl-C stops it all', async () => {
  const [port, registryPort] = [await freePort(), await freePort()];
  demo = spawn('npm', ['run', 'demo', '--', '--port', String(port), '--registry-port', String(registryPort)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the test can press Ctrl-C for it
  });
  let output = '';
  demo.stdout!.on('data', (chunk) => (output += chunk));
  demo.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((done) => demo!.once('exit', () => done()));
  await new Promise<void>((done, fail) => {
    const check = () => {
      if (output.includes('Ctrl-C stops it')) return done();
      if (demo!.exitCode !== null) return fail(new Error(`the demo ended early:\n${output}`));
      setTimeout(check, 100);
    };
    check();
  });

  expect(output).toMatch(/COMPLETE; expected 30, planned 30, downloaded 30/);
  expect(output).toMatch(/5 of 30 document\(s\)/);
  expect(output).toMatch(/Справа № \S+/);
  const gateUrl = `http://127.0.0.1:${port}`;
  expect(output).toContain(`Dashboard   ${gateUrl}/dashboard`);
  expect(output).toContain(`GraphiQL    ${gateUrl}/graphql`);
  const key = /API key +(\S+)/.exec(output)![1];
  const dataDir = /data in (\S+) \(deleted/.exec(output)![1];
  expect(existsSync(dataDir)).toBe(true);

  const me = await fetch(`${gateUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query: '{ me { role } }' }),
  });
  expect(await me.json()).toEqual({ data: { me: { role: 'ADMIN' } } });
  expect((await fetch(`${gateUrl}/dashboard`)).status).toBe(200);

  process.kill(-demo.pid!, 'SIGINT'); // what Ctrl-C in its terminal does
  await exited; // npm itself ends by the signal, as it does in a terminal; the demo winds down after it
  await eventually(() => !groupAlive(demo!.pid!), 60_000, 'the demo to end');
  expect(output).toContain('stopping the workers, the gate and the fake registry');
  expect(existsSync(dataDir)).toBe(false);
  await expect(fetch(`${gateUrl}/health`)).rejects.toThrow();
});
