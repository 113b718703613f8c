/**
 * The one progress bar of `documents export`, `import` and `pull`, on stderr when it is a terminal: a line that
 * fits the terminal's width at every redraw (cli-progress reads the width again each time, so a resized window
 * gets lines of its new width), with counts, rate and ETA that always stay — the bar itself shrinks first.
 * Autowrap stays on (cli-progress would switch it off while the bar runs, and leave it off if the command dies).
 */
import cliProgress from 'cli-progress';
import { etaText, fitBarLine } from '../worker/progress.ts';

export interface CommandBar {
  /** `total` null: not known yet; `approximate`: the total is an estimate (shown as ~n) */
  update(done: number, total: number | null): void;
  stop(): void;
}

export interface CommandBarOptions {
  stream?: NodeJS.WriteStream;
  /** the total is an estimate: shown as ~n, and raised when more arrive */
  approximate?: boolean;
  /** the total when it is known from the start */
  total?: number | null;
}

/** The line itself (exported for tests): `export [███░░] 120/~1000 docs | 12.5/s | ETA 1m10s`. */
export function commandBarLine(
  f: {
    label: string;
    done: number;
    total: number | null;
    approximate?: boolean;
    perSecond: number;
    etaSeconds: number;
  },
  columns: number,
): string {
  const total = f.total === null ? '?' : `${f.approximate ? '~' : ''}${f.total}`;
  const rate = f.perSecond >= 100 ? f.perSecond.toFixed(0) : f.perSecond.toFixed(1);
  return fitBarLine(
    {
      label: f.label,
      share: f.total ? f.done / f.total : 0,
      counts: `${f.done}/${total} docs | ${rate}/s | ETA ${f.total === null ? '--' : etaText(f.etaSeconds)}`,
    },
    columns,
  );
}

export function commandBar(
  label: string,
  { stream = process.stderr, approximate = false, total = null }: CommandBarOptions = {},
) {
  const started = Date.now();
  let known = total;
  const perSecond = (done: number) => done / Math.max(0.001, (Date.now() - started) / 1000);
  const bar = new cliProgress.SingleBar(
    {
      stream,
      hideCursor: true,
      linewrap: true,
      etaBuffer: 200,
      format: (_options, params) =>
        commandBarLine(
          {
            label,
            done: params.value,
            total: known,
            approximate,
            perSecond: perSecond(params.value),
            etaSeconds: params.eta,
          },
          params.maxWidth,
        ),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, known ?? 0), 0);
  const update: CommandBar['update'] = (done, total) => {
    if (total !== null) known = approximate ? Math.max(total, done) : total;
    bar.setTotal(Math.max(1, known ?? done, done));
    bar.update(done);
  };
  return {
    update,
    stop: () => bar.stop(),
  } satisfies CommandBar;
}
