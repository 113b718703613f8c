// One plan or one follow paused (issue 19): the page knows which plans and follows are paused (the pauses query at
// start, after a reconnect and after each change made here), shows them as paused wherever they appear — the
// plans list under Coverage, the chart's plan choice, the follows list, and the pending task rows that belong to
// them — and gives admins Pause/Resume for each. A paused plan's or follow's tasks stay PENDING: the claim skips them.

import { fillPlans } from './activity.js';
import { h } from './dom.js';
import { gql } from './gate.js';
import { reportError } from './notices.js';
import { scheduleRender } from './render.js';
import { state } from './state.js';

export async function loadPauses() {
  const { pauses } = await gql('query Pauses { pauses { plans { id } follows { id } } }');
  state.pausedPlans = new Set(pauses.plans.map((p) => p.id));
  state.pausedFollows = new Set(pauses.follows.map((f) => f.id));
  scheduleRender();
}

/** Why this pending task waits, when its plan or follow is paused ('plan paused', 'follow paused'); else null. */
export function pausedBy(task) {
  if (task.status !== 'PENDING') return null;
  if (task.planId && state.pausedPlans.has(task.planId)) return 'plan paused';
  if (task.followId && state.pausedFollows.has(task.followId)) return 'follow paused';
  return null;
}

export const pausedBadge = (text = 'paused') => h('span', { class: 'paused-badge' }, text);

/** Pause/Resume for one plan (kind 'Plan') or follow ('Follow'); `then` redraws the view it sits in. */
export function pauseToggle(kind, id, paused, then) {
  return h(
    'button',
    {
      type: 'button',
      class: 'ghost admin-only pause-toggle',
      dataset: { kind, id },
      onclick: async (event) => {
        event.stopPropagation(); // the row it sits in picks on click
        try {
          await gql(`mutation($id: ID!) { ${paused ? 'resume' : 'pause'}${kind}(id: $id) { id paused } }`, { id });
          await Promise.all([loadPauses(), kind === 'Plan' && fillPlans()]);
          await then?.();
        } catch (error) {
          reportError(error);
        }
      },
    },
    paused ? `Resume ${kind.toLowerCase()}` : `Pause ${kind.toLowerCase()}`,
  );
}
