// ---------------------------------------------------------------------------------------------------
// The tasks the page holds: one page loaded by the filter, then kept current by upsertTask from events and
// mutations. Views redraw through scheduleRender.

import { PAGE_SIZE, TASK_FIELDS } from './config.js';
import { $ } from './dom.js';
import { state } from './state.js';
import { gql } from './gate.js';
import { scheduleRender } from './render.js';

export function gqlFilter() {
  const f = state.filter;
  return {
    ...(f.status.length ? { status: f.status } : {}),
    ...(f.params ? { searchParams: f.params } : {}),
    ...(f.clientId ? { clientId: f.clientId } : {}),
    ...(f.createdAfter ? { createdAfter: f.createdAfter } : {}),
    ...(f.createdBefore ? { createdBefore: f.createdBefore } : {}),
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
  if (f.createdAfter && task.createdAt < f.createdAfter) return false;
  if (f.createdBefore && task.createdAt >= f.createdBefore) return false;
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
