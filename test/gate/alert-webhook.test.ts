// ALERT_WEBHOOK_URL end to end: a real gate on PostgreSQL judges the conditions of alerts.yml and posts them to a
// real HTTP receiver on loopback — once when an alert starts, not again while it lasts, once when it ends; retried
// when the receiver fails; never a key, the database URL or the webhook's own secret path in a body or a log line.
// Checks run when the test calls gate.alerts.check() (the timer is set far out), and the monitor's clock is the
// test's: the default windows (15 minutes, 5 without a heartbeat) pass when the test moves the clock forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { DEFAULT_THRESHOLDS } from '../../server/observability/alert-rules.ts';
import { AlertWebhook } from '../../server/observability/alert-webhook.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import * as op from './operations.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';
import { eventually } from '../worker/support.ts';

const SECRET_PATH = '/hooks/T000SECRET/B000SECRET?token=webhook-secret-token';
const CREATE_KEY = `mutation($name: String!) { createApiKey(input: { name: $name, role: WORKER }) { key } }`;

let receiver: WebhookReceiver;
/** how far the monitor's clock is ahead of the real one */
let skipped = 0;
let t: TestGate;
const logLines: string[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t = await startTestGate(
    'postgres',
    {
      maxAttempts: 1, // one failed attempt makes a task DEAD
      logLevel: 'info',
      alerts: {
        webhookUrl: `${receiver.url}${SECRET_PATH}`,
        checkIntervalMs: 3_600_000,
        repeatMs: 3_600_000,
        thresholds: DEFAULT_THRESHOLDS,
        retries: 3,
        retryMinMs: 20,
        clock: () => Date.now() + skipped,
      },
    },
    undefined,
    { logTo: { write: (line) => void logLines.push(line) } },
  );
});
afterAll(async () => {
  await t?.stop();
  await t?.db.drop();
  await receiver?.stop();
});

/** Every alert the gate posted so far, in order, as "STATUS name". */
const posted = () =>
  receiver.requests
    .filter((r) => r.status === 200 && r.path === SECRET_PATH)
    .flatMap((r) => r.body.alerts.map((a: any) => `${a.status} ${a.labels.alertname}`));

/** Checks again until `done` holds (each check is a real round: database reads, maybe a POST). */
function checkUntil(done: () => boolean, what: string) {
  return eventually(
    async () => {
      if (done()) return true;
      await t.gate.alerts!.check();
      return false;
    },
    WAIT_FLOOR_MS,
    () => `${what}; posted: ${posted().join(', ')}`,
  );
}

describe('alerts posted to ALERT_WEBHOOK_URL', () => {
  let workerKey: string;
  let clientId: string;

  it('stays silent while all is well', async () => {
    expect(t.gate.alerts).not.toBeNull();
    workerKey = (await t.ok(CREATE_KEY, { name: 'alerted' })).createApiKey.key;
    clientId = (await t.ok(op.REGISTER, { name: 'alerted' }, workerKey)).registerClient.id;
    expect(await t.gate.alerts!.check()).toBeNull();
    expect(t.gate.alerts!.judgesQueue).toBe(true);
    expect(receiver.requests).toHaveLength(0);
  });

  it('a registry pushing back and a task gone DEAD: one request with both, and nothing more while they last', async () => {
    for (let i = 0; i < 5; i++) await t.ok(op.CREATE_TASK, { input: { searchParams: op.region11, maxDocuments: 5 } });
    const claim = async () => (await t.ok(op.CLAIM, { clientId }, workerKey)).claimTask;
    const fail = async (errorClass: string) => {
      const lease = await claim();
      await t.ok(
        op.FAIL,
        {
          input: {
            taskId: lease.task.id,
            leaseToken: lease.leaseToken,
            errorClass,
            message: `${errorClass} from the registry`,
          },
        },
        workerKey,
      );
    };
    await fail('CHALLENGE'); // uses no attempt: back to PENDING
    await fail('RATE_LIMITED');
    await fail('NETWORK'); // the only attempt: DEAD
    for (let i = 0; i < 2; i++) {
      const done = await claim();
      await t.ok(
        op.COMPLETE,
        { input: { taskId: done.task.id, leaseToken: done.leaseToken, documentsDownloaded: 1 } },
        workerKey,
      );
    }

    const delivery = await t.gate.alerts!.check();
    expect(delivery).toMatchObject({ delivered: true, resolved: [] });
    expect(delivery!.firing.sort()).toEqual(['ReyestrDeadTasksRising', 'ReyestrRegistryBlocking']);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.path).toBe(SECRET_PATH);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toMatchObject({ version: '4', receiver: 'reyestr', status: 'firing' });
    const byName = Object.fromEntries(request.body.alerts.map((a: any) => [a.labels.alertname, a]));
    expect(byName.ReyestrRegistryBlocking).toMatchObject({
      status: 'firing',
      labels: { alertname: 'ReyestrRegistryBlocking', severity: 'warning' },
      annotations: { summary: '40% of finished attempts hit a registry CHALLENGE or RATE_LIMITED' },
      endsAt: '0001-01-01T00:00:00Z',
    });
    expect(byName.ReyestrDeadTasksRising.annotations.summary).toBe('1 more DEAD task in 15 minutes');
    expect(request.body.text).toContain('[FIRING] ReyestrDeadTasksRising: 1 more DEAD task');

    // the same alerts again at the next check: not posted again (repeat interval one hour)
    expect(await t.gate.alerts!.check()).toBeNull();
    expect(receiver.requests).toHaveLength(1);
  });

  it('16 minutes on, workers silent and ready tasks not moving: posted, and the earlier two resolved, in one request', async () => {
    skipped += 16 * 60_000;
    // the worker last spoke 6 minutes ago (heartbeat age is read by the database's clock, not the monitor's)
    await prisma.client.update({
      where: { id: clientId },
      data: { lastHeartbeatAt: new Date(Date.now() - 6 * 60_000) },
    });
    const delivery = await t.gate.alerts!.check();
    expect(delivery).toMatchObject({ delivered: true });
    expect(delivery!.firing.sort()).toEqual(['ReyestrNoWorkerHeartbeat', 'ReyestrThroughputStalled']);
    expect(delivery!.resolved.sort()).toEqual(['ReyestrDeadTasksRising', 'ReyestrRegistryBlocking']);
    const body = receiver.requests.at(-1)!.body;
    expect(body.status).toBe('firing');
    const resolved = body.alerts.find((a: any) => a.status === 'resolved');
    expect(Date.parse(resolved.endsAt) - Date.parse(resolved.startsAt)).toBeGreaterThanOrEqual(16 * 60_000);
    const silent = body.alerts.find((a: any) => a.labels.alertname === 'ReyestrNoWorkerHeartbeat');
    expect(silent.annotations.summary).toBe('No worker heartbeat for 6 minutes');
    expect(body.alerts.find((a: any) => a.labels.alertname === 'ReyestrThroughputStalled').annotations.summary).toBe(
      'No task completed in 15 minutes while 2 tasks are ready',
    );
    expect(await t.gate.alerts!.check()).toBeNull();
    expect(receiver.requests).toHaveLength(2);
  });

  it('a heartbeat and a completion end them', async () => {
    await t.ok(op.HEARTBEAT, { clientId }, workerKey);
    const lease = (await t.ok(op.CLAIM, { clientId }, workerKey)).claimTask;
    await t.ok(
      op.COMPLETE,
      { input: { taskId: lease.task.id, leaseToken: lease.leaseToken, documentsDownloaded: 1 } },
      workerKey,
    );
    const delivery = await t.gate.alerts!.check();
    expect(delivery?.resolved.sort()).toEqual(['ReyestrNoWorkerHeartbeat', 'ReyestrThroughputStalled']);
    expect(receiver.requests.at(-1)!.body.status).toBe('resolved');
  });

  it('a receiver that fails is asked again (5xx: retried in the same check; 4xx: at the next check)', async () => {
    const log = createLogger('silent');
    const hook = new AlertWebhook({
      url: `${receiver.url}/retry`,
      repeatMs: 3_600_000,
      instance: 'gate-x:1',
      log,
      retries: 3,
      retryMinMs: 10,
    });
    const alert = {
      name: 'ReyestrDatabaseDown',
      severity: 'critical' as const,
      scope: 'gate' as const,
      summary: 's',
      description: 'd',
    };
    const before = receiver.requests.length;
    receiver.answerWith(503, 502);
    expect(await hook.deliver([alert], Date.now())).toMatchObject({ delivered: true, firing: ['ReyestrDatabaseDown'] });
    expect(receiver.requests.slice(before).map((r) => r.status)).toEqual([503, 502, 200]);
    expect(receiver.requests.at(-1)!.body.alerts[0].labels).toEqual({
      alertname: 'ReyestrDatabaseDown',
      severity: 'critical',
      instance: 'gate-x:1',
    });

    receiver.answerWith(400);
    expect(await hook.deliver([], Date.now())).toMatchObject({ delivered: false, resolved: ['ReyestrDatabaseDown'] });
    expect(receiver.requests.at(-1)!.status).toBe(400); // not retried: asked once
    expect(await hook.deliver([], Date.now())).toMatchObject({ delivered: true, resolved: ['ReyestrDatabaseDown'] });
    expect(await hook.deliver([], Date.now())).toBeNull(); // told once, forgotten
  });

  it('the database gone: ReyestrDatabaseDown for this gate (after two failed checks)', async () => {
    await t.db.drop();
    await checkUntil(() => posted().includes('firing ReyestrDatabaseDown'), 'ReyestrDatabaseDown');
    const request = receiver.requests.find(
      (r) => r.path === SECRET_PATH && r.body.alerts.some((a: any) => a.labels.alertname === 'ReyestrDatabaseDown'),
    )!;
    const alert = request.body.alerts.find((a: any) => a.labels.alertname === 'ReyestrDatabaseDown');
    expect(alert.labels).toEqual({
      alertname: 'ReyestrDatabaseDown',
      severity: 'critical',
      instance: `127.0.0.1:${t.gate.port}`,
    });
  });

  it('no body and no log line holds a key, the database URL or the webhook secret', () => {
    const dbUrl = (t.db.config as { url: string }).url;
    for (const r of receiver.requests) {
      for (const secret of [ADMIN_KEY, workerKey, dbUrl, 'SECRET', 'webhook-secret-token', 'password'])
        expect(r.raw).not.toContain(secret);
    }
    const alertLines = logLines.filter((l) => l.includes('webhook'));
    expect(alertLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      expect(line).not.toContain('SECRET');
      expect(line).not.toContain('webhook-secret-token');
    }
  });
});
