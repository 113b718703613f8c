// ---------------------------------------------------------------------------------------------------
// Tasks table: the filters and the rows (the list itself is task-store.js)

import { PAGE_SIZE, STATUSES } from './config.js';
import { $, fmt, h, paramsText, shortId, since, statusBadge } from './dom.js';
import { state } from './state.js';
import { openDetail } from './detail.js';
import { reportError } from './notices.js';
import { pausedBadge, pausedBy } from './pauses.js';
import { onRender } from './render.js';
import { loadTasks } from './task-store.js';
import { actionButtons, priorityEditor, progress } from './task-widgets.js';

onRender(renderTasks);

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
  for (const id of ['f-worker', 'f-created-from', 'f-created-to']) $(id).addEventListener('change', applyFilters);
  $('f-clear').addEventListener('click', () => {
    for (const box of document.querySelectorAll('#status-filter input')) box.checked = false;
    for (const id of ['f-params', 'f-worker', 'f-created-from', 'f-created-to']) $(id).value = '';
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
    // datetime-local is the browser's local time; the gate compares instants
    createdAfter: instant($('f-created-from').value),
    createdBefore: instant($('f-created-to').value),
  };
  loadTasks().catch(reportError);
}

const instant = (local) => (local ? new Date(local).toISOString() : null);

export function renderTasks() {
  const body = $('tasks').tBodies[0];
  const rows = new Map([...body.rows].map((row) => [row.dataset.id, row]));
  const admin = state.role === 'ADMIN';
  let previous = null;
  for (const id of state.order) {
    const task = state.tasks.get(id);
    const signature = JSON.stringify(task) + admin + pausedBy(task);
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
      h('div', { class: 'muted small' }, since(task.createdAt, { title: new Date(task.createdAt).toLocaleString() })),
    ),
    h('td', {}, statusBadge(task.status), pausedBy(task) ? [' ', pausedBadge(pausedBy(task))] : null),
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
