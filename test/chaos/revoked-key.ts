// Chaos scenario: an operator revokes the key of a worker that is in the middle of a task, on one gate, while
// that worker talks to the other gate. Holds when the key's sockets end with 4403 on every gate (the revocation
// is a NOTIFY each gate hears), the worker can do nothing more with the key, and its tasks go to the other
// workers once their leases run out, while the worker stops by itself (exit code 5) — nothing lost, nothing done twice (run.ts checks that).
import { openSocket } from '../support/subscription-socket.ts';
import type { ChaosCluster } from './cluster.ts';
import type { Scenario } from './scenarios.ts';
import { heldBy, untilReleased } from './waits.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function revokeMidTask(cluster: ChaosCluster, load: { tasks: number; documentsPerTask: number }) {
  const { createApiKey } = await cluster.gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
    'mutation { createApiKey(input: { name: "chaos-revoked", role: WORKER }) { key apiKey { id } } }',
  );
  // Fresh work so the newcomer gets some; it talks to the last gate, the revocation is asked of the first.
  await cluster.createTasks(load.tasks, load.documentsPerTask);
  const victim = cluster.startWorker(cluster.gates.length - 1, createApiKey.key);
  let held: string[] = [];
  for (const deadline = Date.now() + 180_000; held.length === 0; await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`${victim.name} never held a task`);
    held = await heldBy(cluster, victim.name);
  }
  // One more socket of the key on every gate, beside the worker's own.
  const sockets = cluster.gates.map((gate) => openSocket(gate.url, { apiKey: createApiKey.key }));
  await Promise.all(sockets.map((s) => s.ready));

  const at = Date.now();
  await cluster.gql('mutation($id: ID!) { revokeApiKey(input: { id: $id }) { id } }', { id: createApiKey.apiKey.id });
  const closes = await Promise.all(sockets.map((s) => s.closed));
  const wrong = closes.filter((c) => c.code !== 4403);
  if (wrong.length) throw new Error(`sockets of the revoked key closed with ${JSON.stringify(wrong)}, want 4403`);
  const recovered = await untilReleased(cluster, held, victim.name, at);
  // The worker cannot do anything more with the key: it stops by itself, saying why, with exit code 5.
  const code = await victim.exited;
  if (code !== 5 || !/refused this worker's key/.test(victim.output()))
    throw new Error(
      `the revoked worker exited ${code}, want 5 and a line that says why:\n${victim.output().slice(-2000)}`,
    );
  return recovered;
}

export const revokedKey: Scenario = {
  name: "revoke a working worker's key (asked of one gate, the worker on the other)",
  recovery: "the revoked worker's tasks leased by another worker",
  inject: revokeMidTask,
};
