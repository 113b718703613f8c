// Prometheus metrics of one gate (prom-client, a registry per gate). Counters count what this gate did;
// gauges of the shared database (tasks by status, active clients, documents) are read when scraped.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { readHealthSnapshot, type HealthSnapshot } from '../services/health-snapshot.ts';
import { onLeaseOutcome } from '../services/outcomes.ts';
import { FAULT_KINDS, FAULT_SOURCES, onInternalError } from './internal-errors.ts';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type GateMetrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'reyestr_' });

  // One database read per scrape, shared by the gauges that show it: prom-client starts every collector of a scrape
  // in the same turn, so they all find the read under way. It is let go at the next turn once it has settled — kept
  // for 250 ms instead, a scrape that came soon after could show the database up after it had gone.
  let reading: Promise<HealthSnapshot | null> | null = null;
  const snapshot = () => {
    reading ??= readDatabase().finally(() => setImmediate(() => (reading = null)));
    return reading;
  };
  new Gauge({
    name: 'reyestr_database_up',
    help: '1 when this scrape could read the database',
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'reyestr_tasks',
    help: 'Tasks by status (whole database, read at scrape time)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (s) for (const [status, count] of Object.entries(s.byStatus)) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'reyestr_tasks_ready',
    help: 'PENDING tasks a worker could claim now, not waiting out a retry delay (read at scrape time)',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (s) this.set(s.ready);
    },
  });
  new Gauge({
    name: 'reyestr_worker_heartbeat_newest_timestamp_seconds',
    help: 'Unix time of the newest heartbeat of any worker not disabled; absent while no worker ever registered',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (s?.newestHeartbeat) this.set(s.newestHeartbeat.at.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'reyestr_clients_active',
    help: 'Workers whose heartbeats arrive (read at scrape time)',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (s) this.set(s.activeClients);
    },
  });
  new Gauge({
    name: 'reyestr_documents',
    help: 'Documents downloaded and registered (read at scrape time)',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (s) this.set(s.documents);
    },
  });

  const claims = new Counter({
    name: 'reyestr_task_claims_total',
    help: 'Tasks leased by this gate',
    registers: [registry],
  });
  const completions = new Counter({
    name: 'reyestr_task_completions_total',
    help: 'Tasks completed through this gate',
    registers: [registry],
  });
  const documentsDownloaded = new Counter({
    name: 'reyestr_documents_downloaded_total',
    help: 'Documents reported downloaded by completions through this gate',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'reyestr_task_failures_total',
    help: 'Failed attempts reported through this gate, by error class and resulting status',
    labelNames: ['error_class', 'status'],
    registers: [registry],
  });
  const expirations = new Counter({
    name: 'reyestr_lease_expirations_total',
    help: 'Expired leases requeued (or dead) by this gate as sweeper, by resulting status',
    labelNames: ['status'],
    registers: [registry],
  });
  const staleLeases = new Counter({
    name: 'reyestr_stale_lease_rejections_total',
    help: 'Holder writes refused because the lease was no longer theirs, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const coalesced = new Histogram({
    name: 'reyestr_coalesced_lease_write_requests',
    help: 'Single claims or completions per statement: requests that arrived together share one (group commit)',
    labelNames: ['kind'],
    buckets: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 50],
    registers: [registry],
  });
  const coalescedSeconds = new Histogram({
    name: 'reyestr_coalesced_lease_write_seconds',
    help: 'Time of each coalesced statement of single claims or completions, from sending it to its answer (commit included)',
    labelNames: ['kind'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'reyestr_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['method', 'route', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: 'reyestr_graphql_operation_duration_seconds',
    help: 'GraphQL executions by operation type, first root field, transport and outcome',
    labelNames: ['operation', 'field', 'transport', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const subscriptionsOpen = new Gauge({
    name: 'reyestr_graphql_subscriptions_open',
    help: 'GraphQL subscriptions running now, by transport',
    labelNames: ['transport'],
    registers: [registry],
  });
  const websocketConnections = new Gauge({
    name: 'reyestr_websocket_connections',
    help: 'Open graphql-ws connections',
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'reyestr_limit_rejections_total',
    help: 'Requests refused by a limit (rate, body size, query depth/aliases/tokens/cost)',
    labelNames: ['limit'],
    registers: [registry],
  });

  const pgliteVacuumSeconds = new Histogram({
    name: 'reyestr_pglite_vacuum_seconds',
    help: 'VACUUM and ANALYZE statements of the gate on embedded PGlite (which has no autovacuum), by table and action, and how long each took',
    labelNames: ['table', 'action'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  const pgliteXidAge = new Gauge({
    name: 'reyestr_pglite_xid_age',
    help: 'Embedded PGlite: transactions since the oldest datfrozenxid of its data dir (PostgreSQL stops writes at ~2.1 billion; a gate restart freezes the databases it does not use), read by each vacuum pass',
    registers: [registry],
  });

  const internalErrors = new Counter({
    name: 'reyestr_internal_errors_total',
    help: 'Faults of this gate (requests answered 500, failed sweeper/scheduler rounds) by source and what failed: database, store (S3) or other',
    labelNames: ['source', 'kind'],
    registers: [registry],
  });
  // Every series exists from the start at 0, so increase() sees the first fault.
  for (const source of FAULT_SOURCES) for (const kind of FAULT_KINDS) internalErrors.inc({ source, kind }, 0);
  const stopCountingFaults = onInternalError((fault) => internalErrors.inc(fault));

  const unsubscribe = onLeaseOutcome((o) => {
    if (o.type === 'claimed') claims.inc(o.count);
    else if (o.type === 'completed') {
      completions.inc(o.count);
      documentsDownloaded.inc(o.documentsDownloaded);
    } else if (o.type === 'failed') failures.inc({ error_class: o.errorClass, status: o.status });
    else if (o.type === 'expired') expirations.inc({ status: o.status });
    else if (o.type === 'coalesced') {
      coalesced.observe({ kind: o.kind }, o.requests);
      coalescedSeconds.observe({ kind: o.kind }, o.seconds);
    } else staleLeases.inc({ reason: o.reason });
  });

  return {
    registry,
    httpDuration,
    graphqlDuration,
    subscriptionsOpen,
    websocketConnections,
    rejections,
    pgliteVacuumSeconds,
    pgliteXidAge,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    dispose: () => {
      unsubscribe();
      stopCountingFaults();
      registry.clear();
    },
  };
}

async function readDatabase(): Promise<HealthSnapshot | null> {
  try {
    return await readHealthSnapshot();
  } catch {
    return null; // reyestr_database_up shows it; the other gauges keep their last values
  }
}
