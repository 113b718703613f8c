// Chaos scenario: one worker key floods a gate with subscriptions of every kind while the workers run, past its
// MAX_SUBSCRIPTIONS_PER_KEY; then lets them all go at once. Holds when the refusals are counted and clear
// (TOO_MANY_SUBSCRIPTIONS), the work keeps flowing under the flood, and the gate's subscription and WebSocket
// gauges come back to where they were (run.ts then checks its connections, descriptors and RSS).
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { safetyNet } from '../support/deadlines.ts';
import { sample, scrape } from '../support/metrics.ts';
import type { ChaosCluster } from './cluster.ts';
import type { Scenario } from './scenarios.ts';

/** The gates' default MAX_SUBSCRIPTIONS_PER_KEY and MAX_SUBSCRIPTIONS_PER_CONNECTION (server/config.ts). */
const PER_KEY = 1000;
const PER_SOCKET = 50;
/** Subscriptions the flood asks for: the key's limit and then some, which must be refused. */
const FLOOD = PER_KEY + 100;

const KINDS = [
  'subscription { statsUpdated(minutes: 60) { tasksTotal } }',
  'subscription { taskEvents { seq } }',
  'subscription($task: ID!) { taskUpdated(id: $task) { id } }',
  'subscription { taskAvailable { taskId } }',
  'subscription($client: ID) { clientUpdated(id: $client) { id } }',
  'subscription { clientUpdated { id } }',
];

async function gauges(gateUrl: string) {
  const s = await scrape(gateUrl);
  return {
    subscriptions: sample(s, 'reyestr_graphql_subscriptions_open', { transport: 'ws' }),
    sockets: sample(s, 'reyestr_websocket_connections'),
    refused: sample(s, 'reyestr_limit_rejections_total', { limit: 'subscriptions_per_key' }),
  };
}

/** A failure that waiting longer cannot mend: until() throws it at once. */
class Unexpected extends Error {}

async function until<T>(
  check: () => Promise<T | null | false>,
  what: string,
  state: () => string = () => '',
  timeoutMs = 180_000,
): Promise<T> {
  const deadline = Date.now() + safetyNet(timeoutMs);
  let last: unknown;
  for (;;) {
    last = await check().catch((error) => error as Error);
    if (last && !(last instanceof Error)) return last as T;
    if (last instanceof Unexpected) throw last;
    if (Date.now() > deadline) throw new Error(`${what} (last: ${String(last)}; ${state()})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function floodAndRelease(cluster: ChaosCluster): Promise<number> {
  const gate = cluster.gates[0].url;
  // A key of its own: the workers' key must keep its subscriptions while this one is over its limit.
  const { createApiKey } = await cluster.gql<{ createApiKey: { key: string } }>(
    'mutation { createApiKey(input: { name: "chaos-flood", role: WORKER }) { key } }',
  );
  const { rows: tasks } = await cluster.db.query<{ id: string }>('SELECT id FROM tasks LIMIT 1');
  const { rows: clients } = await cluster.db.query<{ id: string }>('SELECT id FROM clients LIMIT 1');
  const variables = { task: tasks[0].id, client: clients[0]?.id ?? null };
  const before = await gauges(gate);

  const sockets: WsClient[] = [];
  let refused = 0;
  const unexpected: unknown[] = [];
  for (let i = 0; i < FLOOD; i++) {
    if (i % PER_SOCKET === 0) {
      sockets.push(
        createClient({
          url: `${gate.replace('http', 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          connectionParams: { apiKey: createApiKey.key },
          retryAttempts: 0,
        }),
      );
    }
    sockets.at(-1)!.subscribe(
      { query: KINDS[i % KINDS.length], variables },
      {
        next: (result) => {
          const codes = result.errors?.map((e) => e.extensions?.code);
          if (codes?.every((c) => c === 'TOO_MANY_SUBSCRIPTIONS')) refused++;
          else if (codes) unexpected.push(result.errors);
        },
        error: (error) => unexpected.push(error),
        complete: () => {},
      },
    );
  }
  // The workers' own subscriptions may come and go by one each (a reconnect) meanwhile, here and below.
  const slack = cluster.workers.length;
  // The gate refuses only once the key holds its limit, so 100 refusals say the other 1,000 are running; the gauge
  // (the workers' subscriptions too) must show them.
  let seen = '';
  await until(
    async () => {
      if (unexpected.length) throw new Unexpected(`the flood got unexpected errors: ${JSON.stringify(unexpected[0])}`);
      const now = await gauges(gate);
      seen = `${refused} refused, ${now.subscriptions} open (${before.subscriptions} before the flood)`;
      return refused === FLOOD - PER_KEY && now.subscriptions >= before.subscriptions + PER_KEY - slack;
    },
    `${PER_KEY} flood subscriptions running and ${FLOOD - PER_KEY} refused`,
    () => seen,
  );
  const counted = (await gauges(gate)).refused - before.refused;
  if (counted !== FLOOD - PER_KEY) throw new Error(`${counted} refusals counted on /metrics, want ${FLOOD - PER_KEY}`);

  // Work goes on under the flood.
  const seq = await cluster.lastSeq();
  await cluster.waitForFlow(seq, Date.now());

  const released = Date.now();
  await Promise.all(sockets.map((s) => s.dispose()));
  await until(
    async () => {
      const now = await gauges(gate);
      seen = `${now.subscriptions} subscriptions and ${now.sockets} sockets open (${before.subscriptions} and ${before.sockets} before)`;
      return now.subscriptions <= before.subscriptions + slack && now.sockets <= before.sockets + slack;
    },
    'the subscription and WebSocket gauges back to their baseline after the release',
    () => seen,
  );
  return Date.now() - released;
}

export const subscriptionFlood: Scenario = {
  name: `one key floods a gate with ${FLOOD} subscriptions of every kind, then lets go`,
  recovery: "the gate's subscription and WebSocket gauges back to baseline after the release",
  inject: floodAndRelease,
};
