// Runs one scenario on a fresh cluster: load it, inject the failure, let it settle, check the invariants.
import { ChaosCluster } from './cluster.ts';
import { checkInvariants, violations, type InvariantReport } from './invariants.ts';
import type { Scenario } from './scenarios.ts';

export interface Load {
  gates: number;
  workers: number;
  tasks: number;
  documentsPerTask: number;
  /** how long the cluster may take to finish everything after the failure */
  settleMs: number;
}

export const SHORT_LOAD: Load = { gates: 2, workers: 3, tasks: 12, documentsPerTask: 3, settleMs: 90_000 };

export interface ScenarioResult {
  scenario: string;
  recoveryMs: number;
  report: InvariantReport;
  violations: string[];
  /** worker output tails, for a failed run */
  logs: string;
}

export async function runScenario(scenario: Scenario, load: Load): Promise<ScenarioResult> {
  const cluster = await ChaosCluster.start({ gates: load.gates });
  try {
    // Slow the registry a little so failures land while documents are in flight.
    cluster.registry.setFaults({ latencyMs: 40 });
    await cluster.createTasks(load.tasks, load.documentsPerTask);
    for (let i = 0; i < load.workers; i++) cluster.startWorker();
    const recoveryMs = await scenario.inject(cluster);
    cluster.registry.setFaults({});
    const settled = await cluster.waitUntilSettled(load.settleMs);
    await cluster.stopWorkers('SIGTERM');
    const report = await checkInvariants(cluster);
    const broken = violations(report);
    if (!settled) broken.unshift(`not settled within ${load.settleMs} ms`);
    return {
      scenario: scenario.name,
      recoveryMs,
      report,
      violations: broken,
      logs: broken.length ? cluster.workers.map((w) => `--- ${w.name}\n${w.output().slice(-3000)}`).join('\n') : '',
    };
  } finally {
    await cluster.close();
  }
}
