// Operating at scale (issue 19): pausing the whole queue, actions on every task matching the tasks filter (with
// the count and a confirmation), and the Failed documents view (reasons, retrying one or all matching).
// Everything goes through the public GraphQL API; changes need an admin key (the controls are admin-only).

import { $, fill, h, shortId, since } from './dom.js';
import { gql } from './gate.js';
import { reportError } from './notices.js';
import { gqlFilter } from './task-store.js';

// ---- the queue ------------------------------------------------------------------------------------

function showQueue(queue) {
  const paused = queue.paused;
  $('queue-paused').hidden = !paused;
  $('queue-toggle').textContent = paused ? 'Resume queue' : 'Pause queue';
  $('queue-toggle').dataset.paused = String(paused);
}

export async function loadQueue() {
  showQueue((await gql('query Queue { queue { paused pausedAt } }')).queue);
}

$('queue-toggle').addEventListener('click', async () => {
  const paused = $('queue-toggle').dataset.paused === 'true';
  try {
    const data = await gql(paused ? 'mutation { resumeQueue { paused } }' : 'mutation { pauseQueue { paused } }');
    showQueue(data.resumeQueue ?? data.pauseQueue);
  } catch (error) {
    reportError(error);
  }
});

// ---- bulk actions on the tasks filter ------------------------------------------------------------------

// The filter is the tasks view's: status, search params, worker and created range (task-store.js gqlFilter).
const ASK = { RETRY: 'Retry', CANCEL: 'Cancel', SET_PRIORITY: 'Set the priority of' };
const DONE = { RETRY: 'Retried', CANCEL: 'Cancelled', SET_PRIORITY: 'Reprioritised' };
const NONE = { RETRY: 'retried', CANCEL: 'cancelled', SET_PRIORITY: 'reprioritised (only unfinished ones can be)' };

$('bulk-action').addEventListener('change', () => {
  $('bulk-priority').hidden = $('bulk-action').value !== 'SET_PRIORITY';
});

$('bulk-apply').addEventListener('click', async () => {
  const action = $('bulk-action').value;
  const input = { action, filter: gqlFilter() };
  if (action === 'SET_PRIORITY') input.priority = Number($('bulk-priority').value);
  const out = $('bulk-result');
  try {
    if (Object.keys(input.filter).length === 0) {
      fill(out, 'Choose a filter first (a status, search params, a worker or a created range).');
      return;
    }
    const { bulkTasksPreview: preview } = await gql(
      'query BulkPreview($input: BulkTasksInput!) { bulkTasksPreview(input: $input) { matched limit } }',
      { input },
    );
    if (preview.matched === 0) return fill(out, `No matching task can be ${NONE[action]}.`);
    const to = action === 'SET_PRIORITY' ? ` to ${input.priority}` : '';
    if (!window.confirm(`${ASK[action]} ${preview.matched} matching task(s)${to}?`))
      return fill(out, 'Nothing changed.');
    const { bulkTasks: done } = await gql(
      'mutation Bulk($input: BulkTasksInput!) { bulkTasks(input: $input) { matched changed } }',
      { input },
    );
    fill(out, `${DONE[action]} ${done.changed} of ${done.matched} task(s)${to}.`);
  } catch (error) {
    fill(out, h('span', { class: 'error' }, error.message));
  }
});

// ---- failed documents -----------------------------------------------------------------------------

const FAILED_FIELDS = `documentId errorClass message failures courtName adoptedOn lastFailedAt retryTaskId
  task { id } worker { name }`;

function failedFilter() {
  const errorClass = $('failed-class').value;
  const court = $('failed-court').value.trim();
  return { ...(errorClass ? { errorClass: [errorClass] } : {}), ...(court ? { court } : {}) };
}

export async function openFailed() {
  const { failedDocuments } = await gql(
    `query Failed($filter: FailedDocumentFilter) { failedDocuments(filter: $filter, first: 50) {
      totalCount edges { node { ${FAILED_FIELDS} } } } }`,
    { filter: failedFilter() },
  );
  const rows = failedDocuments.edges.map((e) => e.node);
  $('failed-count').textContent = String(failedDocuments.totalCount);
  $('failed-empty').hidden = rows.length > 0;
  $('failed-all').disabled = rows.length === 0;
  fill(
    $('failed').tBodies[0],
    rows.map((d) =>
      h(
        'tr',
        { dataset: { id: d.documentId } },
        h('td', {}, h('code', {}, d.documentId)),
        h('td', {}, h('span', { class: 'error-class' }, d.errorClass)),
        h('td', {}, since(d.lastFailedAt, { title: d.lastFailedAt })),
        h('td', {}, String(d.failures)),
        h('td', {}, d.task ? h('code', {}, shortId(d.task.id)) : '–'),
        h('td', {}, d.worker?.name ?? '–'),
        h('td', {}, d.courtName ?? '–', d.adoptedOn ? ` · ${d.adoptedOn}` : ''),
        h('td', { class: 'reason' }, d.message),
        h(
          'td',
          { class: 'admin-only' },
          d.retryTaskId
            ? h('small', {}, 'retry queued')
            : h(
                'button',
                { type: 'button', class: 'retry-one', onclick: () => retry({ documentIds: [d.documentId] }) },
                'Retry',
              ),
        ),
      ),
    ),
  );
}

async function retry(filter) {
  try {
    const { retryFailedDocuments: r } = await gql(
      'mutation RetryFailed($filter: FailedDocumentFilter!) { retryFailedDocuments(filter: $filter) { matched tasksCreated } }',
      { filter },
    );
    fill($('failed-result'), `${r.tasksCreated} retry task(s) created for ${r.matched} document(s).`);
    await openFailed();
  } catch (error) {
    fill($('failed-result'), h('span', { class: 'error' }, error.message));
  }
}

$('failed-all').addEventListener('click', () => {
  const count = $('failed-count').textContent;
  const filter = failedFilter();
  if (Object.keys(filter).length === 0 && !window.confirm(`Retry all ${count} failed documents?`)) return;
  if (Object.keys(filter).length > 0 && !window.confirm(`Retry the ${count} matching failed documents?`)) return;
  // Without a filter "all" is every failed document: name them by class, which every row has.
  retry(Object.keys(filter).length ? filter : { errorClass: ALL_CLASSES });
});
const ALL_CLASSES = [
  'NETWORK',
  'RATE_LIMITED',
  'REGISTRY_ERROR',
  'CHALLENGE',
  'PARSE',
  'STORAGE',
  'LEASE_EXPIRED',
  'CANCELLED',
  'INTERNAL',
];
for (const id of ['failed-class', 'failed-court'])
  $(id).addEventListener('change', () => openFailed().catch(reportError));
