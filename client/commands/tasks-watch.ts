/**
 * `reyestr tasks watch`: the taskEvents subscription (graphql-ws) shown as a live table on a terminal —
 * status, worker, progress bar, rate, ETA — or as one line (or one JSON object) per event elsewhere.
 * It starts with the log's last --replay events (100 by default), then follows it live.
 * Ctrl-C (SIGINT) or SIGTERM ends it cleanly with exit code 0.
 *
 * Once connected, a lost connection (a gate restart) is retried for ever with the worker's backoff, and the
 * subscription resumes with afterSeq = the last event seen: the gate replays what happened meanwhile, nothing is
 * missed or shown twice. "reconnecting…" shows in the table's title line, or as a line on stderr.
 */
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { GateClient } from '../gate/client.ts';
import { reconnectDelayMs } from '../gate/client.ts';
import { graphql } from '../gate/generated/index.ts';
import { CliError, EXIT, shortId, type Output } from './support.ts';

graphql(`
  fragment OperatorWatchTask on Task {
    id kind status documentsDownloaded totalExpected maxDocuments startedAt updatedAt
    leaseHolder { name }
  }
`);

const WatchEventsDocument = graphql(`
  subscription OperatorWatchEvents($filter: TaskEventFilter, $afterSeq: SafeInt) {
    taskEvents(filter: $filter, afterSeq: $afterSeq) { seq type status taskId createdAt client { name } task { ...OperatorWatchTask } }
  }
`);

const WatchPositionDocument = graphql(`
  query OperatorWatchPosition { eventLogPosition }
`);

const WatchInitialDocument = graphql(`
  query OperatorWatchInitial($filter: TaskFilter, $first: Int) {
    tasks(filter: $filter, first: $first) { edges { node { ...OperatorWatchTask } } }
  }
`);

type TaskEvent = ResultOf<typeof WatchEventsDocument>['taskEvents'];
type WatchedTask = TaskEvent['task'];

export interface WatchOptions {
  gate: Pick<GateClient, 'request'>;
  /** the gate's GraphQL endpoint (http…/graphql); the socket uses ws… */
  apiUrl: string;
  apiKey?: string;
  filter: VariablesOf<typeof WatchEventsDocument>['filter'];
  kind?: 'DOWNLOAD' | 'PLAN';
  limit: number;
  count?: number;
  /** start with the last this-many events of the log (0: only what happens from now on) */
  replay: number;
  mode: 'table' | 'lines' | 'json';
  output: Output;
}

const ACTIVE = ['PENDING', 'CLAIMED', 'RUNNING'] as const;
const FINISHED_ROWS_MS = 15_000;

const target = (t: WatchedTask) => t.totalExpected ?? t.maxDocuments;

/** Documents per minute since the task started, and the minutes left at that rate. */
export function rateAndEta(t: WatchedTask, now = Date.now()): { rate: number | null; etaMinutes: number | null } {
  if (!t.startedAt || t.documentsDownloaded === 0) return { rate: null, etaMinutes: null };
  const minutes = Math.max(1 / 60, (now - Date.parse(t.startedAt)) / 60_000);
  const rate = t.documentsDownloaded / minutes;
  const left = Math.max(0, target(t) - t.documentsDownloaded);
  return { rate, etaMinutes: t.status === 'RUNNING' || t.status === 'CLAIMED' ? left / rate : null };
}

export function bar(done: number, total: number, width = 20): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%`;
}

const duration = (minutes: number | null) =>
  minutes === null
    ? '-'
    : minutes < 1
      ? `${Math.ceil(minutes * 60)}s`
      : minutes < 60
        ? `${Math.round(minutes)}m`
        : `${Math.floor(minutes / 60)}h${String(Math.round(minutes % 60)).padStart(2, '0')}m`;

export function eventLine(e: TaskEvent): string {
  const t = e.task;
  return [
    e.createdAt.slice(11, 19),
    String(e.seq).padStart(6),
    e.type.padEnd(13),
    e.taskId,
    t.kind.padEnd(8),
    e.status.padEnd(9),
    `${t.documentsDownloaded}/${target(t)}`.padEnd(11),
    e.client?.name ?? t.leaseHolder?.name ?? '-',
  ].join(' ');
}

/** The screen the table fits: columns and rows of the terminal (a wide default when not on one). */
export interface Screen {
  columns: number;
  rows: number;
}
const WIDE: Screen = { columns: 120, rows: 60 };

/** The terminal's size now (a pseudo-terminal without a size reports 0: then the wide default). */
export const terminalScreen = (stream: NodeJS.WriteStream = process.stdout): Screen => ({
  columns: stream.columns || WIDE.columns,
  rows: stream.rows || WIDE.rows,
});
/** Lines above and below the task rows: title, blank, header, "… and n more", the cursor's line. */
const FRAME_LINES = 5;

/** `s` cut to `width` characters, with an ellipsis when something was cut. */
const clip = (s: string, width: number) => (s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`);

/**
 * The live table, at most `screen.columns` wide and `screen.rows` high: on a narrow terminal the worker
 * column and the bar shrink (the bar goes, the percentage stays), then KIND and DOCS go; TASK, STATUS,
 * RATE/MIN and ETA always stay.
 */
export function renderTable(
  rows: WatchedTask[],
  limit: number,
  now = Date.now(),
  screen: Screen = WIDE,
  /** why the connection to the gate was lost, while it is being made again (said before the counts: it fits) */
  lost: string | null = null,
): string {
  const width = Math.max(46, screen.columns); // narrower than the columns that always stay: let it wrap
  const shown = rows.slice(0, Math.max(1, Math.min(limit, screen.rows - FRAME_LINES)));
  const counts = ACTIVE.map((s) => `${s.toLowerCase()} ${rows.filter((r) => r.status === s).length}`).join(', ');
  // Fixed columns: TASK 8, STATUS 9, RATE/MIN 8, ETA 6 and the spaces between; KIND 8 and DOCS 11 if there is room.
  const withKind = width >= 90;
  const withDocs = width >= 64;
  const fixed = 8 + 1 + 9 + 1 + 8 + 1 + 6 + (withKind ? 9 : 0) + (withDocs ? 12 : 0);
  const flexible = width - fixed - 2; // WORKER, a space, PROGRESS, a space
  // The worker's name gets what a 10-wide bar leaves (6..16), the bar what is left after that (up to 20).
  const worker = Math.max(6, Math.min(16, flexible - 17));
  const barWidth = Math.min(20, flexible - worker - 7); // "[" + bar + "]" + " 100%"
  const progressWidth = barWidth >= 4 ? barWidth + 7 : 4;
  const progress = (done: number, total: number) =>
    barWidth >= 4 ? bar(done, total, barWidth) : bar(done, total, 0).slice(3);
  const row = (cells: {
    task: string;
    kind: string;
    status: string;
    worker: string;
    progress: string;
    docs: string;
    rate: string;
    eta: string;
  }) =>
    [
      cells.task.padEnd(8),
      ...(withKind ? [cells.kind.padEnd(8)] : []),
      cells.status.padEnd(9),
      clip(cells.worker, worker).padEnd(worker),
      cells.progress.padEnd(progressWidth),
      ...(withDocs ? [clip(cells.docs, 11).padEnd(11)] : []),
      cells.rate.padStart(8),
      cells.eta,
    ].join(' ');
  const lines = [
    clip(
      `reyestr tasks watch  ${new Date(now).toISOString().slice(0, 19)}Z  ${lost === null ? `${counts}  (Ctrl-C to stop)` : `reconnecting… (${lost})  ${counts}`}`,
      width,
    ),
    '',
    row({
      task: 'TASK',
      kind: 'KIND',
      status: 'STATUS',
      worker: 'WORKER',
      progress: barWidth >= 4 ? 'PROGRESS' : 'DONE',
      docs: 'DOCS',
      rate: 'RATE/MIN',
      eta: 'ETA',
    }).trimEnd(),
  ];
  for (const t of shown) {
    const { rate, etaMinutes } = rateAndEta(t, now);
    lines.push(
      row({
        task: shortId(t.id),
        kind: t.kind,
        status: t.status,
        worker: t.leaseHolder?.name ?? '-',
        progress: progress(t.documentsDownloaded, target(t)),
        docs: `${t.documentsDownloaded}/${target(t)}`,
        rate: rate === null ? '-' : rate.toFixed(1),
        eta: duration(etaMinutes),
      }),
    );
  }
  if (rows.length > shown.length) lines.push(`… and ${rows.length - shown.length} more`);
  return `${lines.join('\n')}\n`;
}

/** Active tasks first (running, claimed, pending), then recently finished; newest change first within. */
function ordered(tasks: Map<string, WatchedTask & { seenAt: number }>, now: number): WatchedTask[] {
  const rank = (s: string) => (s === 'RUNNING' ? 0 : s === 'CLAIMED' ? 1 : s === 'PENDING' ? 2 : 3);
  for (const [id, t] of tasks) if (rank(t.status) === 3 && now - t.seenAt > FINISHED_ROWS_MS) tasks.delete(id);
  return [...tasks.values()].sort((a, b) => rank(a.status) - rank(b.status) || b.updatedAt.localeCompare(a.updatedAt));
}

/** Close codes of a gate that refused the key or the request: trying again would only be refused again. */
const REFUSED = new Set([4400, 4401, 4403]);

/** One line for a socket's close event (or the error that ended a connection attempt). */
function closeReason(event: unknown): string {
  const close = event as { code?: number; reason?: string; message?: string };
  return close.reason || close.message || (close.code ? `socket closed (${close.code})` : 'connection failed');
}

export async function watchTasks(o: WatchOptions): Promise<void> {
  // graphql-ws sends this same payload again when it resubscribes after a reconnect: afterSeq kept current in it
  // makes the gate replay exactly the events missed meanwhile (no gap, no repeat).
  const variables: VariablesOf<typeof WatchEventsDocument> = { filter: o.filter, afterSeq: null };
  // The last events first: work that began (or even ended) a moment before the command started is shown, not lost
  // between typing `tasks plan` and `tasks watch`.
  if (o.replay > 0) {
    const { eventLogPosition } = await o.gate.request(WatchPositionDocument, {});
    variables.afterSeq = Math.max(0, eventLogPosition - o.replay);
  }
  let connectedOnce = false;
  let stopping = false;
  /** why the connection was lost, while it is being made again */
  let lost: string | null = null;
  let draw = () => {};
  const socket = createClient({
    url: o.apiUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: o.apiKey ? { apiKey: o.apiKey } : {},
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // The first connection has to succeed (a wrong address or key fails at once, with what was tried); one lost
    // after that is a gate restart or a network blip: tried again for ever, with the worker's backoff.
    shouldRetry: (event) => connectedOnce && !stopping && !REFUSED.has((event as { code?: number }).code ?? 0),
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
    // graphql-ws prints a failed first connection with console.error (a dump of the socket); the subscription's
    // error handler below says it in one line.
    onNonLazyError: () => {},
    on: {
      connected: () => {
        if (lost !== null && o.mode !== 'table') o.output.err(`reyestr: reconnected to ${o.apiUrl}\n`);
        connectedOnce = true;
        lost = null;
        draw();
      },
      closed: (event) => {
        if (!connectedOnce || stopping || lost !== null) return; // said once per outage
        lost = closeReason(event);
        if (o.mode !== 'table') o.output.err(`reyestr: lost the gate at ${o.apiUrl} (${lost}); reconnecting…\n`);
        draw();
      },
    },
  });
  const tasks = new Map<string, WatchedTask & { seenAt: number }>();
  let finish!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  const stop = () => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let seen = 0;
  const unsubscribe = socket.subscribe<ResultOf<typeof WatchEventsDocument>>(
    { query: print(WatchEventsDocument), variables },
    {
      next: (result) => {
        if (result.errors?.length)
          return finish(new CliError(`the gate refused the subscription: ${result.errors[0].message}`, EXIT.SERVER));
        const e = result.data?.taskEvents;
        if (!e) return;
        variables.afterSeq = e.seq;
        if (o.kind && e.task.kind !== o.kind) return;
        if (o.mode === 'json') o.output.out(`${JSON.stringify(e)}\n`);
        else if (o.mode === 'lines') o.output.out(`${eventLine(e)}\n`);
        else tasks.set(e.taskId, { ...e.task, seenAt: Date.now() });
        if (o.count && ++seen >= o.count) finish();
      },
      error: (error) => {
        const detail = closeReason(error);
        finish(
          new CliError(
            `cannot follow the gate's events at ${o.apiUrl}: ${detail}`,
            /4401|4403|forbidden|key/i.test(detail) ? EXIT.AUTH : EXIT.SERVER,
          ),
        );
      },
      complete: () => finish(),
    },
  );
  let timer: NodeJS.Timeout | undefined;
  let stopResize = () => {};
  if (o.mode === 'table') {
    const redraw = () =>
      o.output.out(
        `\x1b[H\x1b[2J${renderTable(ordered(tasks, Date.now()), o.limit, Date.now(), terminalScreen(), lost)}`,
      );
    o.output.out('\x1b[?25l');
    // A resized terminal gets a table of its new size at once, not a second later.
    process.stdout.on('resize', redraw);
    stopResize = () => process.stdout.off('resize', redraw);
    o.gate
      .request(WatchInitialDocument, {
        filter: { status: o.filter?.status ?? [...ACTIVE], kind: o.kind, clientId: o.filter?.clientId },
        first: o.limit,
      })
      .then(({ tasks: initial }) => {
        for (const { node } of initial.edges)
          if (!tasks.has(node.id)) tasks.set(node.id, { ...node, seenAt: Date.now() });
        draw = redraw;
        draw();
        timer = setInterval(draw, 1000);
      }, finish);
  }
  try {
    await done;
  } finally {
    stopping = true;
    unsubscribe();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (timer) clearInterval(timer);
    stopResize();
    if (o.mode === 'table') o.output.out('\x1b[?25h\n');
    await socket.dispose();
  }
}
