// The progress bar of `documents export`, `import` and `pull`: one line that fits the terminal's width with counts,
// rate and ETA, and follows a resize at its next redraw. (Through a real pseudo-terminal: test/search/cli.test.ts.)
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandBar, commandBarLine } from '../../client/commands/progress-bar.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences split the output into what each redraw wrote
const SEGMENTS = /\x1b\[[0-9;?]*[A-Za-z]|\r|\n/;

describe('command bar lines', () => {
  const fields = { label: 'export', done: 120, total: 1000, perSecond: 12.5, etaSeconds: 70.4 };

  it('fit the width with counts, rate and ETA; the bar shrinks first, then the label', () => {
    for (const columns of [200, 120, 80, 60, 40]) {
      const line = commandBarLine(fields, columns);
      expect(line.length, `${columns}: ${line}`).toBeLessThanOrEqual(columns - 1);
      expect(line).toContain('120/1000 docs | 12.5/s | ETA 1m10s');
    }
    expect(commandBarLine(fields, 80)).toMatch(/^export \[█+░+\] 120\/1000 docs \| 12\.5\/s \| ETA 1m10s$/);
    expect(commandBarLine({ ...fields, approximate: true }, 80)).toContain(' 120/~1000 docs');
    expect(commandBarLine({ ...fields, total: null }, 80)).toMatch(/ 120\/\? docs \| 12\.5\/s \| ETA --$/);
    expect(commandBarLine({ ...fields, perSecond: 1234.4 }, 80)).toContain('| 1234/s |');
  });

  it('a resized terminal gets lines of its new width at the next redraw', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 80 }) as unknown as NodeJS.WriteStream;
    let written = '';
    stream.on('data', (chunk) => (written += chunk));
    const bar = commandBar('import', { stream });
    bar.update(10, 400); // drawn at start (0/?), later ones on cli-progress's redraw timer or at stop
    const wide = written.split(SEGMENTS).filter((s) => s.includes(' docs | '));
    (stream as { columns: number }).columns = 50;
    written = '';
    bar.update(20, 400);
    bar.stop();
    const narrow = written.split(SEGMENTS).filter((s) => s.includes(' docs | '));
    expect(wide.at(-1)).toMatch(/^import \[[█░]+\] \d+\/\S+ docs \| [\d.]+\/s \| ETA \S+$/);
    expect(wide.at(-1)!.length).toBeGreaterThan(50);
    expect(narrow.length).toBeGreaterThan(0);
    for (const line of narrow) expect(line.length, line).toBeLessThanOrEqual(49);
    expect(narrow.at(-1)).toMatch(/^import .*20\/400 docs \| [\d.]+\/s \| ETA \S+$/);
    expect(written).not.toContain('\x1b[?7l'); // autowrap is never switched off
  });
});
