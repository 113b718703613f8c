// The order vitest starts test files in. Its own sequencer runs the longest files first when its cache knows their
// durations (node_modules/.vite/vitest, written by a previous run), and else the largest files first. A clean clone —
// every CI run — has no such cache, and test/chaos/chaos.test.ts is a small file that runs for minutes (ten chaos
// scenarios with real processes): it started after 243 s of a 397 s run and was the run's last 2.5 minutes alone.
// So the files known to take minutes of wall time start first, in this order; the rest keep vitest's order.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const LONG_FIRST = [
  'test/chaos/chaos.test.ts',
  'test/readme/walkthrough.test.ts',
  'test/gate/startup.test.ts',
  'test/operator/follow.test.ts',
  'test/operator/cli.test.ts',
  'test/readme/demo.test.ts',
  // the `isolated` project's longest file (a process of its own): left in vitest's order it started last, and the
  // run's last ~10 s were it alone
  'test/hardening/subscription-release.test.ts',
];

export class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const at = LONG_FIRST.indexOf(relative(this.ctx.config.root, file.moduleId));
      return at < 0 ? LONG_FIRST.length : at;
    };
    return sorted
      .map((file, index) => ({ file, index }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index)
      .map(({ file }) => file);
  }
}
