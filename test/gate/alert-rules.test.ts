// The webhook's conditions (server/observability/alert-rules.ts) on made-up observations: the cases the end-to-end
// test (alert-webhook.test.ts) does not reach — faults of one gate, a gate that does not judge the queue, a queue
// watched for less than a window, and too few attempts to speak of a share.
import { describe, expect, it } from 'vitest';
import { activeAlerts, DEFAULT_THRESHOLDS, type Observation } from '../../server/observability/alert-rules.ts';

const MIN = 60_000;
const quiet = { ready: 0, heartbeatAgeMs: 1000, completed: 0, failed: 0, blocked: 0, dead: 0 };
const obs = (at: number, o: Partial<Observation> = {}): Observation => ({
  at,
  databaseOk: true,
  faults: { database: 0, store: 0 },
  queue: { ...quiet },
  ...o,
});
const names = (history: Observation[], now: number, queueSince: number | null = 0) =>
  activeAlerts(history, now, DEFAULT_THRESHOLDS, queueSince)
    .map((a) => a.name)
    .sort();

describe('alert rules of the webhook', () => {
  it('database faults and store faults over the window, per gate', () => {
    const faulty = (db: number, store: number) => ({ faults: { database: db, store } });
    expect(names([obs(0, faulty(3, 3)), obs(MIN, faulty(2, 2))], MIN)).toEqual([]);
    expect(names([obs(0, faulty(3, 3)), obs(MIN, faulty(3, 3))], MIN)).toEqual([
      'ReyestrDatabaseErrors',
      'ReyestrDocumentStoreErrors',
    ]);
    // older than the window: forgotten
    expect(names([obs(0, faulty(30, 30)), obs(16 * MIN, faulty(0, 0))], 16 * MIN)).toEqual([]);
  });

  it('the database down only after two failed checks in a row', () => {
    const down = { databaseOk: false, queue: null };
    expect(names([obs(0), obs(MIN, down)], MIN)).toEqual([]);
    expect(names([obs(0), obs(MIN, down), obs(2 * MIN, down)], 2 * MIN)).toEqual(['ReyestrDatabaseDown']);
    expect(names([obs(0, down)], 0)).toEqual(['ReyestrDatabaseDown']); // the first check of a gate that cannot reach it
  });

  it('a gate that does not judge the queue says nothing about it', () => {
    const stalled = { queue: { ...quiet, ready: 5, heartbeatAgeMs: 60 * MIN, dead: 3 } };
    expect(names([obs(0, stalled), obs(20 * MIN, stalled)], 20 * MIN)).toEqual([
      'ReyestrDeadTasksRising',
      'ReyestrNoWorkerHeartbeat',
      'ReyestrThroughputStalled',
    ]);
    expect(names([obs(0, { queue: null }), obs(20 * MIN, { queue: null })], 20 * MIN, null)).toEqual([]);
  });

  it('no throughput alert before a whole window was watched, nor when nothing is ready at some check', () => {
    const ready = { queue: { ...quiet, ready: 5 } };
    expect(names([obs(0, ready), obs(10 * MIN, ready)], 10 * MIN)).toEqual([]);
    expect(names([obs(0, ready), obs(10 * MIN, ready), obs(16 * MIN, ready)], 16 * MIN)).toEqual([
      'ReyestrThroughputStalled',
    ]);
    expect(names([obs(0, ready), obs(10 * MIN), obs(16 * MIN, ready)], 16 * MIN)).toEqual([]);
  });

  it('registry pushing back: a share of enough attempts', () => {
    const q = (completed: number, failed: number, blocked: number) => ({
      queue: { ...quiet, completed, failed, blocked },
    });
    expect(names([obs(0, q(1, 2, 2))], 0)).toEqual([]); // 3 attempts: too few
    expect(names([obs(0, q(8, 2, 2))], 0)).toEqual([]); // 20 %: not above
    expect(names([obs(0, q(7, 3, 3))], 0)).toEqual(['ReyestrRegistryBlocking']);
  });
});

describe('ALERT_* settings', () => {
  it('no webhook: no alerts; a webhook: the defaults; not an http(s) URL: a clear error naming the setting', async () => {
    const { loadConfig } = await import('../../server/config.ts');
    expect(loadConfig({}, { dotenv: false }).alerts).toBeUndefined();
    const alerts = loadConfig({ ALERT_WEBHOOK_URL: 'https://hooks.example/T1/B2' }, { dotenv: false }).alerts;
    expect(alerts).toEqual({
      webhookUrl: 'https://hooks.example/T1/B2',
      checkIntervalMs: 30_000,
      repeatMs: 3_600_000,
      thresholds: DEFAULT_THRESHOLDS,
    });
    expect(() => loadConfig({ ALERT_WEBHOOK_URL: 'ftp://hooks.example/x' }, { dotenv: false })).toThrow(
      'invalid configuration: ALERT_WEBHOOK_URL: expected an http(s):// URL',
    );
  });
});
