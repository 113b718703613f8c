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

/** What one bar line shows. */
export interface BarFields {
  label: string;
  value: number;
  total: number;
  /** documents downloaded per second since the task started */
  speed: string;
  /** seconds left, or NaN/Infinity while unknown */
  etaSeconds: number;
  skipped: number;
  failed: number;
}

/** Seconds left as people read them: 45s, 1m10s, 2h01m; "--" while unknown. */
export const etaText = (seconds: number) => {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
};

/** What any bar line is made of: the label, the bar's share, the counts that always stay, a tail that may go. */
export interface BarParts {
  label: string;
  /** 0..1 */
  share: number;
  /** e.g. "120/1000 docs | 12.5/s | ETA 1m10s" */
  counts: string;
  /** e.g. " | skipped 3 failed 1" */
  tail?: string;
}

/**
 * One bar line no wider than `columns - 1` (the last column is left alone so the terminal never wraps a bar,
 * which would throw off the redraw): the counts always stay; the bar shrinks first (to nothing), then the tail
 * goes, then the label is shortened. Called at every redraw with the width of that moment: a resized terminal
 * gets lines of its new width.
 */
export function fitBarLine(p: BarParts, columns: number): string {
  const width = Math.max(20, columns - 1);
  const fill = (size: number) => {
    const done = Math.round(Math.min(1, Math.max(0, p.share)) * size);
    return `[${'\u2588'.repeat(done)}${'\u2591'.repeat(size - done)}] `;
  };
  for (const tail of [p.tail ?? '', '']) {
    const room = width - p.label.length - 1 - p.counts.length - tail.length - 3; // "[", "] "
    if (room >= 10) return `${p.label} ${fill(Math.min(40, room))}${p.counts}${tail}`;
  }
  const label = p.label.slice(0, Math.max(0, width - p.counts.length - 1));
  return `${label} ${p.counts}`.slice(0, width).trimStart();
}

/** A task's bar line: counts, rate and ETA always stay; skipped/failed go before the label is shortened. */
export function barLine(f: BarFields, columns: number): string {
  return fitBarLine(
    {
      label: f.label,
      share: f.total > 0 ? f.value / f.total : 0,
      counts: `${f.value}/${f.total} docs | ${f.speed}/s | ETA ${etaText(f.etaSeconds)}`,
      tail: ` | skipped ${f.skipped} failed ${f.failed}`,
    },
    columns,
  );
}

/**
 * cli-progress bars on a TTY, each line fitted to the terminal's width as it is at every redraw (so a resized
 * window gets lines of its new width). Line wrapping stays on: cli-progress would otherwise switch the
 * terminal's autowrap off for as long as the bars run, and every log line longer than the window was cut.
 */
export function createBarsDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: false,
      hideCursor: true,
      etaBuffer: 50,
      linewrap: true,
      format: (_options, params, payload) =>
        barLine(
          {
            label: payload.label,
            value: params.value,
            total: params.total,
            speed: payload.speed,
            etaSeconds: params.eta,
            skipped: payload.skipped,
            failed: payload.failed,
          },
          params.maxWidth,
        ),
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
