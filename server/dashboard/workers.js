// ---------------------------------------------------------------------------------------------------
// Workers

import { ACTIVE, CLIENT_FIELDS, DOCS_RATE_WINDOW_MS, LATE_AFTER_SECONDS } from './config.js';
import { $, duration, fill, fmt, h, shortId } from './dom.js';
import { state } from './state.js';
import { gql } from './gate.js';
import { openDetail } from './detail.js';
import { onRender, scheduleRender } from './render.js';

onRender(renderWorkers);

/** Live updates of workers so far, and per worker the count at its latest one: what a snapshot must not undo. */
let liveUpdates = 0;
const liveUpdateOf = new Map();

export async function loadClients() {
  const asked = liveUpdates;
  const data = await gql(`query Clients { clients { ${CLIENT_FIELDS} } }`);
  // A worker updated live while this read was on its way (drained, say) keeps what the live update said: the
  // snapshot may have been read before the change, and no later event would put it right.
  const newer = [...state.clients.values()].filter((c) => liveUpdateOf.get(c.id) > asked);
  state.clients.clear();
  for (const client of data.clients) state.clients.set(client.id, client);
  for (const client of newer) state.clients.set(client.id, { ...state.clients.get(client.id), ...client });
  renderWorkerFilter();
  scheduleRender();
}

export function upsertClient(client) {
  const known = state.clients.get(client.id);
  liveUpdateOf.set(client.id, ++liveUpdates);
  state.clients.set(client.id, { ...known, ...client });
  if (!known) renderWorkerFilter();
  scheduleRender();
}

export function renderWorkerFilter() {
  const select = $('f-worker');
  const chosen = select.value;
  select.replaceChildren(
    h('option', { value: '' }, 'any'),
    ...[...state.clients.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => h('option', { value: c.id }, c.name)),
  );
  select.value = chosen;
}

/** Progress a worker made, from the task counters its events carry: the basis of its docs/min. */
export function countDocuments(clientId, task) {
  const before = state.taskDocs.get(task.id);
  state.taskDocs.set(task.id, task.documentsDownloaded);
  if (!clientId || before === undefined || task.documentsDownloaded <= before) return;
  const samples = state.docSamples.get(clientId) ?? [];
  samples.push({ at: Date.now(), documents: task.documentsDownloaded - before });
  state.docSamples.set(clientId, samples);
}

export const openedAt = Date.now();
export function docsPerMinute(clientId) {
  const now = Date.now();
  const samples = (state.docSamples.get(clientId) ?? []).filter((x) => x.at > now - DOCS_RATE_WINDOW_MS);
  state.docSamples.set(clientId, samples);
  const minutes = Math.max(1, Math.min(DOCS_RATE_WINDOW_MS, now - openedAt) / 60_000);
  return samples.reduce((sum, x) => sum + x.documents, 0) / minutes;
}

export function heartbeatAge(client) {
  return Math.max(0, (Date.now() - new Date(client.lastHeartbeatAt).getTime()) / 1000);
}

export function renderWorkers() {
  const clients = [...state.clients.values()].sort((a, b) =>
    a.status === b.status ? a.name.localeCompare(b.name) : a.status.localeCompare(b.status),
  );
  fill(
    $('workers').tBodies[0],
    ...clients.map((c) => {
      const age = heartbeatAge(c);
      // a worker that said goodbye (STOPPED) or was disabled is not late: it is not expected to beat
      const late = c.status === 'ACTIVE' && age > LATE_AFTER_SECONDS;
      const current = (c.currentTasks ?? []).filter((t) => ACTIVE.has(t.status));
      return h(
        'tr',
        { dataset: { id: c.id } },
        h('td', {}, h('b', {}, c.name)),
        h('td', {}, c.host ?? '—'),
        h(
          'td',
          {},
          h('span', { class: `badge c-${c.status.toLowerCase()}` }, c.status.toLowerCase()),
          c.paused ? [' ', h('span', { class: 'paused-badge' }, 'draining')] : null,
          ' ',
          // Drain: the worker finishes what it holds and claims nothing new (pauseWorker); the clientUpdated event redraws.
          h(
            'button',
            {
              type: 'button',
              class: 'ghost admin-only drain',
              onclick: () =>
                gql(`mutation($id: ID!) { ${c.paused ? 'resumeWorker' : 'pauseWorker'}(id: $id) { id } }`, {
                  id: c.id,
                }),
            },
            c.paused ? 'Resume' : 'Drain',
          ),
        ),
        h('td', { class: late ? 'late' : '', title: new Date(c.lastHeartbeatAt).toLocaleString() }, duration(age)),
        h(
          'td',
          {},
          current.length
            ? current.map((t) =>
                h(
                  'div',
                  {},
                  h('button', { type: 'button', class: 'link', onclick: () => openDetail(t.id) }, shortId(t.id)),
                  ` ${fmt(t.documentsDownloaded)} / ${fmt(t.totalExpected ?? t.maxDocuments)}`,
                ),
              )
            : h('span', { class: 'muted' }, 'idle'),
        ),
        h('td', { class: 'num' }, docsPerMinute(c.id).toFixed(1)),
        h('td', { class: 'num' }, fmt(c.tasksCompleted)),
        h('td', { class: 'num' }, fmt(c.tasksFailed)),
        h('td', { class: 'num' }, fmt(c.documentsDownloaded)),
        h('td', { class: 'muted' }, c.version ?? '—'),
      );
    }),
  );
  $('workers-empty').hidden = clients.length > 0;
  $('workers-count').textContent = fmt(clients.filter((c) => c.status === 'ACTIVE').length);
}

/**
 * Heartbeats are not published live (only status changes are), so before showing an ACTIVE worker as
 * late the page reads the workers once more; each worker is checked at most once per late period.
 */
export let lateCheck = null;
export function confirmLateWorkers() {
  const now = Date.now();
  const due = [...state.clients.values()].filter(
    (c) =>
      c.status === 'ACTIVE' &&
      heartbeatAge(c) > LATE_AFTER_SECONDS &&
      now - (state.lateChecked.get(c.id) ?? 0) > LATE_AFTER_SECONDS * 1000,
  );
  if (!due.length || lateCheck || !state.online) return;
  for (const c of due) state.lateChecked.set(c.id, now);
  lateCheck = loadClients()
    .catch(() => {})
    .finally(() => (lateCheck = null));
}
