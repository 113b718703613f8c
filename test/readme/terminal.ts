// A terminal for tests that run what README tells a person to type: one bash reading commands from its stdin,
// in its own process group, in the repository's folder. A command is typed as a line; the test learns that the
// shell is ready for the next one from a marker it types after it (bash reads its input a line at a time, so
// the marker runs only when the command before it has ended or gone to the background).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

export interface Terminal {
  /** everything the terminal printed so far (stdout and stderr, as on a screen) */
  output(): string;
  /** Types a command; resolves with what it printed once it ended (or went to the background with `&`). */
  type(line: string): Promise<string>;
  /** Types a command that runs until Ctrl-C; `ended` resolves with what it printed when it does. */
  start(line: string): { ended: Promise<string> };
  waitFor(pattern: RegExp, what: string, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Ctrl-C for the running command(s) whose command line matches (SIGINT, as a terminal sends it). */
  interrupt(commandLine: RegExp): void;
  /** Ends everything the terminal started: SIGINT, then SIGTERM, then SIGKILL to its process group. */
  close(): Promise<void>;
}

export function openTerminal(cwd: string, env: Record<string, string>): Terminal {
  const shell: ChildProcess = spawn('bash', ['--noprofile', '--norc', '-s'], {
    cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let screen = '';
  shell.stdout!.on('data', (chunk) => (screen += chunk));
  shell.stderr!.on('data', (chunk) => (screen += chunk));
  const exited = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
  let markers = 0;

  const waitFor = (pattern: RegExp, what: string, timeoutMs = 300_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const match = pattern.exec(screen);
        if (match) return resolve(match);
        if (Date.now() - started > timeoutMs || shell.exitCode !== null) {
          return reject(new Error(`terminal: no ${what} within ${timeoutMs} ms; it shows:\n${screen.slice(-3000)}`));
        }
        setTimeout(check, 50);
      };
      check();
    });
  const typeWithMarker = (line: string) => {
    const marker = `__ready_${++markers}__`;
    const from = screen.length;
    shell.stdin!.write(`${line}\necho ${marker}\n`);
    return waitFor(new RegExp(`${marker}\\n`), `end of \`${line}\``, 120_000).then(() =>
      screen.slice(from).replace(`${marker}\n`, ''),
    );
  };
  const processesMatching = (commandLine: RegExp) =>
    execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((row) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(row))
      .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === shell.pid && commandLine.test(m[3]))
      .map((m) => Number(m[1]));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-shell.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  const groupAlive = () => processesMatching(/./).length > 0;

  return {
    output: () => screen,
    type: typeWithMarker,
    start: (line) => {
      const ended = typeWithMarker(line);
      // A command left running until the terminal closes (the gate, the fake registry) never "ends": its promise
      // then rejects, and nobody may be waiting for it — which must not count as an unhandled rejection.
      ended.catch(() => {});
      return { ended };
    },
    waitFor,
    interrupt: (commandLine) => {
      for (const pid of processesMatching(commandLine)) process.kill(pid, 'SIGINT');
    },
    close: async () => {
      shell.stdin!.end();
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
        if (!groupAlive()) break;
        signalGroup(signal);
        const deadline = Date.now() + 15_000;
        while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      }
      await exited;
    },
  };
}

/** The ```sh blocks of one README section (from its `## title` to the next `## `), as lists of lines. */
export function shellBlocks(readme: string, title: string): string[][] {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "## ${title}"`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].trimEnd().split('\n'));
}
