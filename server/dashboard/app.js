// The gate's live dashboard: plain DOM code over the public GraphQL API. Snapshots come from queries over
// HTTP; everything after that arrives over one graphql-ws connection (statsUpdated, taskEvents,
// clientUpdated, followRuns), so the page never polls. graphql-ws's browser build is loaded first and sets
// window.graphqlWs.

import {
  CLIENT_FIELDS,
  EVENT_FIELDS,
  KEY_STORAGE,
  LATE_AFTER_SECONDS,
  PAGE_SIZE,
  TASK_FIELDS,
  THROUGHPUT_MINUTES,
  WS_URL,
} from './config.js';
import { $, tickTimes } from './dom.js';
import { state } from './state.js';
import { AuthError, GateDown, gql } from './gate.js';
import { hideBanner, reportError, setOnline, showBanner, showLogin } from './notices.js';
import { renderRate, renderStats } from './stats.js';
import { loadPauses } from './pauses.js';
import { loadTasks, scheduleRecount, upsertTask } from './task-store.js';
import { setUpFilters } from './tasks.js';
import { confirmLateWorkers, countDocuments, loadClients, renderWorkers, upsertClient } from './workers.js';
import { loadDetail, renderDetail } from './detail.js';
import { detectCoverage, loadCoverage, scheduleCoverage } from './coverage.js';
import { openDocuments } from './documents.js';
import { openActivity, scheduleActivity, setUpActivity } from './activity.js';
import { loadFollows, scheduleFollows } from './follows.js';
import { loadQueue, openFailed } from './operate.js';

// ---------------------------------------------------------------------------------------------------
// Start, sign in, sign out

export async function boot() {
  let me;
  try {
    ({ me } = await gql('query Me { me { role authEnabled } }'));
  } catch (error) {
    if (error instanceof AuthError) return showLogin(state.key ? 'The gate refused this key.' : null);
    if (error instanceof GateDown) {
      showBanner('The gate is not answering. Retrying…');
      return setTimeout(boot, 2000);
    }
    return showBanner(`Cannot load the dashboard: ${error.message}`);
  }
  hideBanner();
  state.role = me.role;
  state.authEnabled = me.authEnabled;
  $('login').hidden = true;
  $('app').hidden = false;
  document.body.classList.toggle('read-only', me.role !== 'ADMIN');
  const role = $('role');
  role.hidden = false;
  role.textContent = !me.authEnabled ? 'auth off' : me.role === 'ADMIN' ? 'admin' : 'worker · read-only';
  role.className = `role ${me.role === 'ADMIN' ? 'admin' : 'reader'}`;
  $('sign-out').hidden = !me.authEnabled;
  $('late-after').textContent = String(LATE_AFTER_SECONDS);
  setUpFilters();
  connect();
  await Promise.all([loadTasks(), loadClients(), detectCoverage(), loadQueue(), loadPauses()]).catch(reportError);
  await openActivity().catch(reportError); // after the workers: their names fill its worker choice
  document.body.dataset.loaded = 'true';
}

setUpActivity();

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('login-key').value.trim();
  if (!key) return;
  state.key = key;
  sessionStorage.setItem(KEY_STORAGE, key);
  $('login-key').value = '';
  boot();
});

$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  state.ws?.dispose();
  location.reload();
});

// ---------------------------------------------------------------------------------------------------
// Live: one graphql-ws connection, three subscriptions

export function connect() {
  const { createClient } = window.graphqlWs;
  const ws = createClient({
    url: WS_URL,
    connectionParams: () => (state.key ? { apiKey: state.key } : {}),
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5000))),
    on: {
      connected: () => {
        const reconnected = state.connectedOnce;
        state.connectedOnce = true;
        setOnline(true);
        if (reconnected) resync();
      },
      closed: (event) => {
        if (event?.code === 4403) {
          // the key was revoked (or the gate no longer knows it)
          ws.dispose();
          sessionStorage.removeItem(KEY_STORAGE);
          state.key = null;
          return showLogin('The gate no longer accepts this key.');
        }
        if (state.online || !state.connectedOnce) setOnline(false);
      },
    },
  });
  state.ws = ws;

  live(
    `subscription Stats($minutes: Int) { statsUpdated(minutes: $minutes) {
      pending running completed failed dead activeClients at throughput { minute documents } } }`,
    { minutes: THROUGHPUT_MINUTES },
    (data) => {
      renderStats(data.statsUpdated);
      scheduleActivity(); // task events arrived
    },
  );

  // graphql-ws sends this same payload object again when it resubscribes after a reconnect: keeping
  // afterSeq current in it makes the gate replay exactly the events this page missed.
  const events = { afterSeq: null };
  live(
    `subscription Events($afterSeq: SafeInt) { taskEvents(afterSeq: $afterSeq) {
      ${EVENT_FIELDS} task { ${TASK_FIELDS} } client { ${CLIENT_FIELDS} } } }`,
    events,
    (data) => {
      const event = data.taskEvents;
      events.afterSeq = state.lastSeq = event.seq;
      onTaskEvent(event);
    },
  );

  live(`subscription Clients { clientUpdated { ${CLIENT_FIELDS} } }`, {}, (data) => upsertClient(data.clientUpdated));

  // A follow ran, or a run's windows settled: the follows view reloads what it shows.
  live('subscription FollowRuns { followRuns { id } }', {}, () => scheduleFollows());
}

export function live(query, variables, next) {
  state.ws.subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) return reportError(new Error(result.errors[0].message));
        try {
          next(result.data);
        } catch (error) {
          console.error(error);
        }
      },
      error: (error) => console.warn('subscription ended', error),
      complete: () => {},
    },
  );
}

/** After a reconnect: the snapshots again (the event subscription replays from the last seq by itself). */
export function resync() {
  Promise.all([
    loadTasks(Math.max(PAGE_SIZE, state.order.length)),
    loadClients(),
    loadPauses(),
    state.detailId && loadDetail(state.detailId),
  ])
    .then(() => (state.view === 'coverage' ? loadCoverage() : state.view === 'follows' && loadFollows()))
    .catch(reportError);
}

export function onTaskEvent(event) {
  const task = event.task;
  if (event.client) upsertClient(event.client);
  countDocuments(event.clientId ?? task.leaseHolder?.id, task);
  upsertTask(task);
  if (state.detailId === event.taskId && state.detail) {
    state.detail.events.unshift(event);
    Object.assign(state.detail, task);
    if (event.type === 'COMPLETED' || event.type === 'PROGRESS') loadDetail(event.taskId).catch(reportError);
    else renderDetail();
  }
  scheduleRecount();
  if (state.view === 'coverage') scheduleCoverage();
}

// ---------------------------------------------------------------------------------------------------
// Views

for (const tab of document.querySelectorAll('.tabs [role=tab]')) {
  tab.addEventListener('click', () => {
    state.view = tab.dataset.view;
    for (const other of document.querySelectorAll('.tabs [role=tab]'))
      other.setAttribute('aria-selected', String(other === tab));
    for (const view of ['tasks', 'workers', 'coverage', 'follows', 'documents', 'failed'])
      $(`view-${view}`).hidden = view !== state.view;
    if (state.view === 'coverage') loadCoverage();
    if (state.view === 'follows') loadFollows();
    if (state.view === 'documents') openDocuments().catch(reportError);
    if (state.view === 'failed') openFailed().catch(reportError);
  });
}

// Local clock only (no requests): heartbeat ages, every "… ago" text and the documents/min tile tick on their own.
setInterval(() => {
  if ($('app').hidden) return;
  renderWorkers();
  confirmLateWorkers();
  tickTimes();
  renderRate();
}, 1000);

boot();
