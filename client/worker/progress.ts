/**
 * Progress of the running tasks as people see it: on a TTY one cli-progress bar per task (documents
 * done/total, rate, ETA) with log lines printed above the bars; elsewhere plain log lines (one every
 * `everyDocuments` documents and at the end), so redirected output stays readable.
 */
import cliProgress from 'cli-progress';
import type { LogOutput, Logger } from './log.ts';

export interface TaskCounts {
  downloaded: number;
  skipped: number;
  failed: number;
  /** documents the task will handle, once the search told us */
  total: number | null;
}

export interface TaskProgressView {
  update(counts: TaskCounts): void;
  done(outcome: string): void;
}

export interface ProgressDisplay extends LogOutput {
  startTask(taskId: string, label: string): TaskProgressView;
  stop(): void;
}

const handled = (c: TaskCounts) => c.downloaded + c.skipped + c.failed;

/** cli-progress bars on a TTY. */
export function createBarsDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: false,
      hideCursor: true,
      etaBuffer: 50,
      format:
        '{label} [{bar}] {value}/{total} docs | {speed}/s | ETA {eta_formatted} | skipped {skipped} failed {failed}',
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = new Map<cliProgress.SingleBar, number>();
  return {
    line: (text) => bars.log(`${text}\n`),
    startTask(_taskId, label) {
      const bar = bars.create(1, 0, { label, speed: '0.0', skipped: 0, failed: 0 });
      started.set(bar, Date.now());
      return {
        update(counts) {
          const seconds = Math.max(0.001, (Date.now() - started.get(bar)!) / 1000);
          const done = handled(counts);
          bar.setTotal(Math.max(counts.total ?? done, done, 1));
          bar.update(done, {
            speed: (counts.downloaded / seconds).toFixed(1),
            skipped: counts.skipped,
            failed: counts.failed,
          });
        },
        done(outcome) {
          bar.update({ label: `${label} ${outcome}` });
          bar.stop();
          bars.remove(bar);
          started.delete(bar);
        },
      };
    },
    stop: () => bars.stop(),
  };
}

/** Plain log lines: a progress line every `everyDocuments` documents. */
export function createLinesDisplay(getLog: () => Logger, everyDocuments = 25): ProgressDisplay {
  return {
    line: (text, level) => (level >= 40 ? process.stderr : process.stdout).write(`${text}\n`),
    startTask(taskId, label) {
      let lastShown = 0;
      const started = Date.now();
      return {
        update(counts) {
          const done = handled(counts);
          if (done - lastShown < everyDocuments && done !== counts.total) return;
          lastShown = done;
          const seconds = Math.max(0.001, (Date.now() - started) / 1000);
          getLog().info(
            {
              task: taskId,
              downloaded: counts.downloaded,
              skipped: counts.skipped,
              failed: counts.failed,
              total: counts.total,
              perSecond: Number((counts.downloaded / seconds).toFixed(2)),
            },
            `${label}: ${done}/${counts.total ?? '?'} documents`,
          );
        },
        done: () => {},
      };
    },
    stop: () => {},
  };
}
