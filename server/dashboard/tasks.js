// ---------------------------------------------------------------------------------------------------
// Tasks table

import { ACTIVE, CANCELLABLE, PAGE_SIZE, RETRYABLE, STATUSES, TASK_FIELDS } from './config.js';
import { $, ago, fmt, h, paramsText, shortId, statusBadge } from './dom.js';
import { state } from './state.js';
import { gql } from './gate.js';
import { renderWorkers } from './workers.js';
import { openDetail } from './detail.js';
import { reportError, toast } from './app.js';

export function setUpFilters() {
  const box = $('status-filter');
  if (box.querySelector('input')) return;
  for (const status of STATUSES) {
    box.append(
      h(
        'label',
        { class: `chip s-${status.toLowerCase()}` },
        h('input', { type: 'checkbox', value: status, onchange: applyFilters }),
        status.toLowerCase(),
      ),
    );
  }
  let typing;
  $('f-params').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(applyFilters, 300);
  });
  $('f-worker').addEventListener('change', applyFilters);
  $('f-clear').addEventListener('click', () => {
    for (const box of document.querySelectorAll('#status-filter input')) box.checked = false;
    $('f-params').value = '';
    $('f-worker').value = '';
    applyFilters();
  });
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  $('more').addEventListener('click', () => loadTasks(PAGE_SIZE, state.endCursor).catch(reportError));
}

/** `CourtRegion=11 INSType=1,2` (or a JSON object) → search params; null when empty. */
export function parseParams(text) {
  text = text.trim();
  if (!text) return null;
  if (text.startsWith('{')) return JSON.parse(text);
  const params = {};
  for (const part of text.split(/[\s;&]+/).filter(Boolean)) {
    const at = part.indexOf('=');
    if (at < 1) throw new Error(`"${part}": write Field=value`);
    const value = part.slice(at + 1);
    params[part.slice(0, at)] = value.includes(',') ? value.split(',') : value;
  }
  return params;
}

export function applyFilters() {
  const error = $('filter-error');
  let params;
  try {
    params = parseParams($('f-params').value);
    error.hidden = true;
  } catch (e) {
    error.hidden = false;
    error.textContent = `Search params: ${e.message}`;
    return;
  }
  state.filter = {
    status: [...document.querySelectorAll('#status-filter input:checked')].map((box) => box.value),
    params,
    clientId: $('f-worker').value,
  };
  loadTasks().catch(reportError);
}

export function gqlFilter() {
  const f = state.filter;
  return {
    ...(f.status.length ? { status: f.status } : {}),
    ...(f.params ? { searchParams: f.params } : {}),
    ...(f.clientId ? { clientId: f.clientId } : {}),
  };
}

export let loadGeneration = 0;
export async function loadTasks(first = PAGE_SIZE, after = null) {
  const generation = ++loadGeneration;
  const data = await gql(
    `query Tasks($filter: TaskFilter, $first: Int, $after: String) {
      tasks(filter: $filter, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } edges { node { ${TASK_FIELDS} } } } }`,
    { filter: gqlFilter(), first, after },
  );
  if (generation !== loadGeneration) return; // the filter changed meanwhile
  const connection = data.tasks;
  if (!after) {
    state.tasks.clear();
    state.order = [];
  }
  for (const { node } of connection.edges) {
    if (!state.tasks.has(node.id)) state.order.push(node.id);
    state.tasks.set(node.id, node);
    if (!state.taskDocs.has(node.id)) state.taskDocs.set(node.id, node.documentsDownloaded);
  }
  state.totalCount = connection.totalCount;
  state.endCursor = connection.pageInfo.endCursor;
  state.hasNext = connection.pageInfo.hasNextPage;
  $('filter-error').hidden = true;
  scheduleRender();
}

export let recountTimer;
export function scheduleRecount() {
  clearTimeout(recountTimer);
  recountTimer = setTimeout(async () => {
    try {
      const data = await gql('query Count($filter: TaskFilter) { tasks(filter: $filter, first: 1) { totalCount } }', {
        filter: gqlFilter(),
      });
      state.totalCount = data.tasks.totalCount;
      scheduleRender();
    } catch {
      // the next event or reconnect counts again
    }
  }, 400);
}

export function matchesFilter(task) {
  const f = state.filter;
  if (f.status.length && !f.status.includes(task.status)) return false;
  if (f.clientId && task.leaseHolder?.id !== f.clientId) return false;
  if (f.params) {
    for (const [field, wanted] of Object.entries(f.params)) {
      const have = [task.searchParams?.[field]].flat().map(String);
      if (
        ![wanted]
          .flat()
          .map(String)
          .every((v) => have.includes(v))
      )
        return false;
    }
  }
  return true;
}

export function upsertTask(task) {
  const known = state.tasks.get(task.id);
  if (known && known.updatedAt > task.updatedAt) return; // an older view of it than the one shown
  if (!matchesFilter(task)) {
    if (known) {
      state.tasks.delete(task.id);
      state.order = state.order.filter((id) => id !== task.id);
      scheduleRender();
    }
    return;
  }
  if (known) {
    state.tasks.set(task.id, task);
  } else {
    // newest first, like the gate; older tasks beyond the loaded page stay behind "Load more"
    const at = state.order.findIndex((id) => state.tasks.get(id).createdAt < task.createdAt);
    if (at === -1 && state.hasNext) return;
    state.tasks.set(task.id, task);
    state.order.splice(at === -1 ? state.order.length : at, 0, task.id);
  }
  scheduleRender();
}

export let renderTimer;
export function scheduleRender() {
  renderTimer ??= setTimeout(() => {
    renderTimer = undefined;
    renderTasks();
    renderWorkers();
  }, 16);
}

export function renderTasks() {
  const body = $('tasks').tBodies[0];
  const rows = new Map([...body.rows].map((row) => [row.dataset.id, row]));
  const admin = state.role === 'ADMIN';
  let previous = null;
  for (const id of state.order) {
    const task = state.tasks.get(id);
    const signature = JSON.stringify(task) + admin;
    let row = rows.get(id);
    rows.delete(id);
    // leave a row alone while its priority is being typed; it is redrawn when the field loses focus
    const busy = row && document.activeElement?.tagName === 'INPUT' && row.contains(document.activeElement);
    if (!row) row = h('tr', { dataset: { id } });
    if (row.dataset.signature !== signature && !busy) {
      row.dataset.signature = signature;
      row.dataset.status = task.status;
      row.replaceChildren(...taskCells(task, admin));
    }
    const expected = previous ? previous.nextSibling : body.firstChild;
    if (row !== expected) body.insertBefore(row, expected);
    previous = row;
  }
  for (const row of rows.values()) row.remove();
  $('tasks-empty').hidden = state.order.length > 0;
  $('more').hidden = !state.hasNext;
  $('tasks-count').textContent = fmt(state.totalCount);
}

export function taskCells(task, admin) {
  const error =
    task.lastError || task.lastErrorClass
      ? h(
          'span',
          { class: 'last-error', title: task.lastError ?? '' },
          task.lastErrorClass ? h('span', { class: 'err-class' }, task.lastErrorClass) : null,
          ' ',
          task.lastError ?? '',
        )
      : h('span', { class: 'muted' }, '—');
  return [
    h(
      'td',
      {},
      h(
        'button',
        { type: 'button', class: 'link task-id', title: task.id, onclick: () => openDetail(task.id) },
        shortId(task.id),
      ),
      task.kind === 'PLAN' ? h('span', { class: 'kind' }, 'plan') : null,
      h('div', { class: 'muted small', title: new Date(task.createdAt).toLocaleString() }, ago(task.createdAt)),
    ),
    h('td', {}, statusBadge(task.status)),
    h(
      'td',
      { class: 'params', title: JSON.stringify(task.searchParams) },
      paramsText(task.searchParams),
      h('div', { class: 'muted small' }, `from page ${task.startPage}`),
    ),
    h('td', {}, task.leaseHolder?.name ?? h('span', { class: 'muted' }, '—')),
    h('td', {}, progress(task)),
    h('td', { class: 'num' }, admin ? priorityEditor(task) : String(task.priority)),
    h('td', { class: 'num' }, `${task.attempts} / ${task.maxAttempts}`),
    h('td', {}, error),
    h('td', { class: 'admin-only actions' }, actionButtons(task)),
  ];
}

export function actionButtons(task) {
  return [
    CANCELLABLE.has(task.status)
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger small-btn',
            'data-action': 'cancel',
            onclick: () => act('cancelTask', task.id),
          },
          'Cancel',
        )
      : null,
    RETRYABLE.has(task.status)
      ? h(
          'button',
          { type: 'button', class: 'small-btn', 'data-action': 'retry', onclick: () => act('retryTask', task.id) },
          'Retry',
        )
      : null,
  ];
}

export function priorityEditor(task) {
  const input = h('input', {
    type: 'number',
    class: 'priority',
    min: -1000,
    max: 1000,
    step: 1,
    value: task.priority,
    'aria-label': 'priority',
  });
  const save = async () => {
    const priority = Number(input.value);
    if (!Number.isInteger(priority) || priority === task.priority) return;
    input.disabled = true;
    try {
      const data = await gql(
        `mutation SetPriority($input: SetTaskPriorityInput!) { setTaskPriority(input: $input) { ${TASK_FIELDS} } }`,
        { input: { id: task.id, priority } },
      );
      toast(`Priority of ${shortId(task.id)} is now ${priority}`);
      input.blur();
      upsertTask(data.setTaskPriority);
    } catch (error) {
      input.value = task.priority;
      reportError(error);
    } finally {
      input.disabled = false;
    }
  };
  input.addEventListener('change', save);
  input.addEventListener('blur', scheduleRender);
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    input.value = task.priority;
    input.blur();
  });
  return input;
}

export async function act(mutation, id) {
  try {
    const data = await gql(`mutation Act($input: TaskIdInput!) { ${mutation}(input: $input) { ${TASK_FIELDS} } }`, {
      input: { id },
    });
    upsertTask(data[mutation]);
    toast(`${mutation === 'cancelTask' ? 'Cancelled' : 'Retrying'} task ${shortId(id)}`);
  } catch (error) {
    reportError(error);
  }
}

export function progress(task) {
  const of = task.totalExpected ?? task.maxDocuments;
  const done = task.documentsDownloaded;
  const share = of ? Math.min(1, done / of) : 0;
  const bar = h(
    'div',
    {
      class: `bar-track ${ACTIVE.has(task.status) ? 'active' : task.status === 'COMPLETED' ? 'done' : ''}`,
      role: 'progressbar',
      'aria-valuenow': done,
      'aria-valuemax': of,
    },
    h('div', { class: 'bar-fill' }),
  );
  bar.firstChild.style.width = `${(share * 100).toFixed(1)}%`; // CSSOM: allowed by the page's CSP, unlike style=""

  const extra =
    task.documentsFailed || task.documentsSkipped
      ? ` (${task.documentsFailed} failed, ${task.documentsSkipped} skipped)`
      : '';
  return h('div', { class: 'progress' }, bar, h('span', { class: 'small' }, `${fmt(done)} / ${fmt(of)}${extra}`));
}
