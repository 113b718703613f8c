// ---------------------------------------------------------------------------------------------------
// What the tasks table and the task detail both show for a task: its progress bar, the admin's cancel/retry
// buttons and the priority editor.

import { ACTIVE, CANCELLABLE, RETRYABLE, TASK_FIELDS } from './config.js';
import { fmt, h, shortId } from './dom.js';
import { gql } from './gate.js';
import { reportError, toast } from './notices.js';
import { scheduleRender } from './render.js';
import { upsertTask } from './task-store.js';

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
