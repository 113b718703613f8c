// ---------------------------------------------------------------------------------------------------
// Task detail

import { EVENT_FIELDS, TASK_FIELDS } from './config.js';
import { $, compact, fill, fmt, h, shortId, since, statusBadge } from './dom.js';
import { state } from './state.js';
import { gql } from './gate.js';
import { reportError } from './notices.js';
import { actionButtons, progress } from './task-widgets.js';

export async function openDetail(id) {
  state.detailId = id;
  state.detail = null;
  $('detail').hidden = false;
  $('d-id').textContent = shortId(id);
  $('d-id').title = id;
  fill($('d-body'), h('p', { class: 'muted' }, 'Loading…'));
  await loadDetail(id).catch(reportError);
}

$('d-close').addEventListener('click', () => {
  state.detailId = state.detail = null;
  $('detail').hidden = true;
});
document.addEventListener('keydown', (event) => event.key === 'Escape' && !$('detail').hidden && $('d-close').click());

export async function loadDetail(id) {
  // three small queries: as one they would go over the gate's query cost limit
  const [{ task }, events, { documents }] = await Promise.all([
    gql(
      `query Task($id: ID!) { task(id: $id) {
      ${TASK_FIELDS} runAt claimedAt startedAt completedAt leaseEpoch leaseExpiresAt resultSummary parent { id } } }`,
      { id },
    ),
    gql(`query TaskLog($id: ID!) { task(id: $id) { workerLog events(last: 100) { ${EVENT_FIELDS} } } }`, { id }),
    gql(
      `query TaskDocuments($id: ID!) { documents(taskId: $id, first: 50) {
      totalCount edges { node { id documentId fetchedAt sizeBytes } } } }`,
      { id },
    ),
  ]);
  if (state.detailId !== id) return;
  state.detail = task && {
    ...task,
    events: events.task?.events ?? [],
    workerLog: events.task?.workerLog ?? [],
    documents,
  };
  renderDetail();
}

export function renderDetail() {
  const t = state.detail;
  const body = $('d-body');
  if (!t) return fill(body, h('p', { class: 'error' }, 'No such task.'));
  const when = (v) => (v ? since(v, { title: new Date(v).toLocaleString() }) : h('span', { class: 'muted' }, '—'));
  const facts = [
    ['Status', statusBadge(t.status)],
    ['Kind', t.kind.toLowerCase()],
    ['Priority', String(t.priority)],
    ['Attempts', `${t.attempts} / ${t.maxAttempts}`],
    ['Stalls', String(t.stalls)],
    ['Leases', String(t.leaseEpoch)],
    ['Worker', t.leaseHolder?.name ?? '—'],
    ['Created', when(t.createdAt)],
    ['Claimed', when(t.claimedAt)],
    ['Started', when(t.startedAt)],
    ['Completed', when(t.completedAt)],
    ['Run at', when(t.runAt)],
    ['Lease until', when(t.leaseExpiresAt)],
    ['Progress', progress(t)],
    [
      'Parent',
      t.parent
        ? h('button', { type: 'button', class: 'link', onclick: () => openDetail(t.parent.id) }, shortId(t.parent.id))
        : '—',
    ],
  ];
  fill(
    body,
    h('div', { class: 'admin-only detail-actions' }, actionButtons(t)),
    h(
      'dl',
      { class: 'facts' },
      facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    t.lastError
      ? h(
          'p',
          { class: 'last-error' },
          h('span', { class: 'err-class' }, t.lastErrorClass ?? 'ERROR'),
          ' ',
          t.lastError,
        )
      : null,
    h('h3', {}, 'Search'),
    h('pre', {}, JSON.stringify(t.searchParams, null, 2)),
    h('h3', {}, 'Result summary'),
    t.resultSummary == null
      ? h('p', { class: 'muted' }, 'none yet')
      : h('pre', {}, JSON.stringify(t.resultSummary, null, 2)),
    h('h3', {}, 'Worker log ', h('small', {}, 'this lease, newest last')),
    t.workerLog.length
      ? h('pre', { id: 'd-worker-log', class: 'worker-log' }, t.workerLog.join('\n'))
      : h('p', { class: 'muted' }, 'no lines yet'),
    h('h3', {}, `Event log `, h('small', {}, `${t.events.length}`)),
    h(
      'ol',
      { class: 'events' },
      t.events.map((e) =>
        h(
          'li',
          { class: `ev ev-${e.type.toLowerCase()}` },
          h('span', { class: 'ev-type' }, e.type.toLowerCase().replaceAll('_', ' ')),
          h(
            'span',
            { class: 'muted small', title: new Date(e.createdAt).toLocaleString() },
            new Date(e.createdAt).toLocaleTimeString(),
          ),
          e.client?.name ? h('span', { class: 'small' }, e.client.name) : null,
          e.data && Object.keys(e.data).length ? h('code', { class: 'ev-data' }, compact(e.data)) : null,
        ),
      ),
    ),
    h('h3', {}, 'Documents ', h('small', {}, fmt(t.documents.totalCount))),
    t.documents.edges.length
      ? h(
          'ul',
          { class: 'docs' },
          t.documents.edges.map(({ node: d }) =>
            h(
              'li',
              {},
              h('code', {}, d.documentId),
              h('span', { class: 'muted small' }, new Date(d.fetchedAt).toLocaleTimeString()),
              d.sizeBytes != null
                ? h('span', { class: 'muted small' }, `${fmt(Math.round(d.sizeBytes / 1024))} kB`)
                : null,
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'none yet'),
    t.documents.totalCount > t.documents.edges.length
      ? h('p', { class: 'muted small' }, `first ${t.documents.edges.length} shown`)
      : null,
  );
}
