// ALERT_WEBHOOK_URL with two gate processes on one PostgreSQL database: one gate (an advisory lock) judges the
// queue, so a DEAD task is posted by that gate only, however often both check; when it is killed the other takes
// the lock and judges from where the event log is then (the DEAD it never counted is not posted again), and posts
// the next one. Each post names its gate in `text`; checks every 0.2 s, repeats every second while firing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { startGateProcess, type GateProcess } from '../support/gate-process.ts';
import { postGraphQL } from '../support/graphql-http.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import * as op from '../gate/operations.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';
import { eventually } from '../worker/support.ts';

const KEY = 'alert-lock-admin-key-0123456789abcdef';

describe('alerts from several gates', () => {
  let db: TestDatabase;
  let hooks: WebhookReceiver;
  const gates: GateProcess[] = [];

  beforeAll(async () => {
    db = await createPostgresDatabase();
    hooks = await startWebhookReceiver();
    const env = {
      DATABASE_URL: (db.config as { url: string }).url,
      ADMIN_API_KEY: KEY,
      MAX_ATTEMPTS: '1',
      ALERT_WEBHOOK_URL: `${hooks.url}/hook`,
      ALERT_CHECK_INTERVAL_SECONDS: '0.2',
      ALERT_WEBHOOK_REPEAT_SECONDS: '1',
    };
    gates.push(await startGateProcess(env));
    gates.push(await startGateProcess(env));
  });
  afterAll(async () => {
    for (const g of gates) await g.stop('SIGKILL');
    await hooks?.stop();
    await db?.drop();
  });

  const gql = async (url: string, query: string, variables: Record<string, unknown>) => {
    const body = await postGraphQL(url, KEY, query, variables);
    if (body.errors?.length) throw new Error(body.errors[0].message);
    return body.data;
  };
  const deadTask = async (url: string, name: string) => {
    const clientId = (await gql(url, op.REGISTER, { name })).registerClient.id;
    await gql(url, op.CREATE_TASK, { input: { searchParams: op.region11, maxDocuments: 5 } });
    const lease = (await gql(url, op.CLAIM, { clientId })).claimTask;
    await gql(url, op.FAIL, {
      input: { taskId: lease.task.id, leaseToken: lease.leaseToken, errorClass: 'PARSE', message: 'x' },
    });
  };
  /** The gate (host:port) behind each post of ReyestrDeadTasksRising, in order. */
  const deadPostsBy = () =>
    hooks.requests
      .filter((r) =>
        r.body.alerts.some((a: any) => a.labels.alertname === 'ReyestrDeadTasksRising' && a.status === 'firing'),
      )
      .map((r) => /ReyestrDeadTasksRising: [^\n]* \(reyestr ([^)]+)\)/.exec(r.body.text)![1]);
  const until = (done: () => boolean, what: string) =>
    eventually(done, WAIT_FLOOR_MS, () => `${what}; posts by: ${deadPostsBy().join(', ')}`);
  const hostPort = (g: GateProcess) => new URL(g.url).host;

  it('a DEAD task is posted by the judging gate only, again and again while it lasts', async () => {
    await Promise.all(gates.map((g) => g.waitFor(/"msg":"alerts go to a webhook"/)));
    await deadTask(gates[0].url, 'one');
    await until(() => deadPostsBy().length >= 3, 'three posts');
    const judges = gates.filter((g) => g.lines().some((l) => l.includes('this gate now judges the queue for alerts')));
    expect(judges).toHaveLength(1);
    expect(new Set(deadPostsBy())).toEqual(new Set([hostPort(judges[0])]));
    for (const r of hooks.requests) expect(r.raw).not.toContain(KEY);
  });

  it('killed, the judging gate hands over: the other judges from the log as it is then and posts the next DEAD', async () => {
    const judge = gates.find((g) => g.lines().some((l) => l.includes('this gate now judges the queue for alerts')))!;
    const other = gates.find((g) => g !== judge)!;
    await judge.stop('SIGKILL');
    await other.waitFor(/this gate now judges the queue for alerts/);
    const before = deadPostsBy().length;
    await deadTask(other.url, 'two');
    await until(() => deadPostsBy().slice(before).includes(hostPort(other)), 'a post by the new judge');
    const first = hooks.requests.find((r) => r.body.text?.includes(`(reyestr ${hostPort(other)})`))!;
    expect(
      first.body.alerts.find((a: any) => a.labels.alertname === 'ReyestrDeadTasksRising').annotations.summary,
    ).toBe('1 more DEAD task in 15 minutes');
  });
});
