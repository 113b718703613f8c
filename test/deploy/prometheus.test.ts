// deploy/prometheus/alerts.yml and deploy/grafana/reyestr.json against the gate that exports the metrics:
// promtool (Debian's prometheus package; .ci/run installs it) checks the rules and runs their unit tests
// (alerts.test.yml), and parses every Grafana panel's expression; a real gate's /metrics must export every
// metric the rules and panels name, with the label values they match on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ErrorClass, TaskStatus } from '../../server/generated/prisma/enums.ts';
import { FAULT_KINDS, FAULT_SOURCES } from '../../server/observability/internal-errors.ts';
import { startTestGate, type TestGate } from '../support/gate.ts';

const RULES = 'deploy/prometheus/alerts.yml';
const RULE_TESTS = 'deploy/prometheus/alerts.test.yml';
const DASHBOARD = 'deploy/grafana/reyestr.json';

const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => {
  try {
    execFileSync(p, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (!promtool)
  console.warn(
    'test/deploy/prometheus.test.ts: promtool checks SKIPPED — promtool is not installed (apt-get install prometheus; .ci/run does it)',
  );

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: unknown[] } };
const panelExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Grafana's variables replaced by what Prometheus itself would see. */
const asPromQL = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*');

/** The values each label may take, from the enums the gate fills them from. */
const LABEL_VALUES: Record<string, readonly string[]> = {
  status: Object.values(TaskStatus),
  error_class: Object.values(ErrorClass),
  kind: FAULT_KINDS,
  source: FAULT_SOURCES,
};

describe('alert rules (deploy/prometheus/alerts.yml)', () => {
  it.skipIf(!promtool)('promtool check rules accepts them, and their unit tests (alerts.test.yml) pass', () => {
    const checked = execFileSync(promtool!, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(checked).toContain(`SUCCESS: ${rules.length} rules found`);
    const tested = execFileSync(promtool!, ['test', 'rules', RULE_TESTS], { encoding: 'utf8' });
    expect(tested).toContain('SUCCESS');
    // every alert is exercised by at least one unit test
    const tests = parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: { alert_rule_test: { alertname: string }[] }[] };
    const tried = new Set(tests.tests.flatMap((t) => t.alert_rule_test.map((a) => a.alertname)));
    expect(rules.map((r) => r.alert).filter((a) => !tried.has(a))).toEqual([]);
  });

  it('each rule names the conditions of issue 19 and says what to do, with a severity', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'ReyestrNoWorkerHeartbeat',
        'ReyestrDeadTasksRising',
        'ReyestrThroughputStalled',
        'ReyestrRegistryBlocking',
        'ReyestrDatabaseErrors',
        'ReyestrDatabaseDown',
      ]),
    );
    for (const r of rules) {
      expect(r.alert).toMatch(/^Reyestr[A-Z]\w+$/);
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary?.length).toBeGreaterThan(10);
      expect(r.annotations.description?.length).toBeGreaterThan(10);
    }
  });
});

describe('Grafana dashboard (deploy/grafana/reyestr.json)', () => {
  it('is a dashboard with a Prometheus data source variable and a query in every graph', () => {
    expect(dashboard.templating.list).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'datasource', type: 'datasource' })]),
    );
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
    expect(panelExprs.length).toBeGreaterThan(15);
  });

  it.skipIf(!promtool)('every panel expression parses as PromQL (as recording rules, through promtool)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reyestr-grafana-'));
    try {
      const file = join(dir, 'panels.yml');
      const recorded = panelExprs.map((p, i) => ({ record: `reyestr:panel_${i}`, expr: asPromQL(p.expr) }));
      writeFileSync(file, stringify({ groups: [{ name: 'grafana-panels', rules: recorded }] }));
      const checked = execFileSync(promtool!, ['check', 'rules', file], { encoding: 'utf8' });
      expect(checked).toContain(`SUCCESS: ${recorded.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what the rules and the dashboard read is what a real gate exports', () => {
  let t: TestGate;
  let types: Map<string, string>;

  beforeAll(async () => {
    t = await startTestGate('postgres'); // the metrics are the same on either storage; PostgreSQL opens cheaper
    const text = await (await fetch(`${t.url}/metrics`)).text();
    types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]] as [string, string]));
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** The exported metric a name in an expression reads (histograms are read through their series). */
  const exported = (name: string) => {
    if (types.has(name)) return true;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return base !== name && types.get(base) === 'histogram';
  };

  const sources = () => [
    ...rules.map((r) => ({ where: `rule ${r.alert}`, expr: r.expr })),
    ...panelExprs.map((p) => ({ where: `panel "${p.panel}"`, expr: p.expr })),
  ];

  it('every reyestr_* metric named exists on /metrics', () => {
    const missing: string[] = [];
    let named = 0;
    for (const { where, expr } of sources()) {
      for (const [name] of expr.matchAll(/\breyestr_[a-z0-9_]+\b/g)) {
        named++;
        if (!exported(name)) missing.push(`${where}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(named).toBeGreaterThan(30);
  });

  it('every label value matched on is one the gate uses', () => {
    const wrong: string[] = [];
    for (const { where, expr } of sources()) {
      for (const [, label, op, value] of expr.matchAll(/\b([a-z_]+)\s*(=~|=)\s*"([^"]*)"/g)) {
        const allowed = LABEL_VALUES[label];
        if (!allowed) continue; // job, instance: Prometheus's own
        const values = op === '=~' ? value.split('|') : [value];
        for (const v of values) if (!allowed.includes(v)) wrong.push(`${where}: ${label}${op}"${v}"`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
