// ---------------------------------------------------------------------------------------------------
// Throughput and failures over the last hour, day or week, for all workers or one, all plans or one:
// activity(range, clientId, planId), which the gate reads from rolled-up counters. Reloaded when task
// events arrive (statsUpdated), at most every few seconds, so a burst of events costs one query.

import { $, fill, fmt, h, s } from './dom.js';
import { gql } from './gate.js';
import { reportError } from './notices.js';
import { state } from './state.js';
import { niceMax } from './stats.js';

const QUERY = `query Activity($range: ActivityRange, $clientId: ID, $planId: ID) {
  activity(range: $range, clientId: $clientId, planId: $planId) {
    range bucketSeconds completed failed dead expired documents
    buckets { at completed failed dead expired documents }
  }
}`;
const PLANS = 'query ActivityPlans { plans(first: 200) { id from to paused } }';

/** At most one reload per this many ms (a day or a week changes slowly). */
const RELOAD_MS = { HOUR: 5_000, DAY: 30_000, WEEK: 60_000 };
const TICKS = { HOUR: [15, 'min'], DAY: [6, 'h'], WEEK: [24, 'd'] };

const view = { range: 'HOUR', clientId: '', planId: '', shown: null, loadedAt: 0, timer: null, loading: null };

export function setUpActivity() {
  for (const button of document.querySelectorAll('#activity-range button')) {
    button.addEventListener('click', () => {
      view.range = button.dataset.range;
      for (const other of document.querySelectorAll('#activity-range button'))
        other.setAttribute('aria-pressed', String(other === button));
      loadActivity().catch(reportError);
    });
  }
  $('activity-worker').addEventListener('focus', fillWorkers);
  $('activity-worker').addEventListener('change', (e) => {
    view.clientId = e.target.value;
    loadActivity().catch(reportError);
  });
  $('activity-plan').addEventListener('change', (e) => {
    view.planId = e.target.value;
    loadActivity().catch(reportError);
  });
  addEventListener('resize', () => view.shown && renderActivity(view.shown));
}

/** Options from the workers the page knows (kept current by clientUpdated). */
export function fillWorkers() {
  const select = $('activity-worker');
  const clients = [...state.clients.values()].sort((a, b) => a.name.localeCompare(b.name));
  fill(
    select,
    h('option', { value: '' }, 'all workers'),
    clients.map((c) => h('option', { value: c.id, selected: c.id === view.clientId }, c.name)),
  );
}

/** The chart's plan choice (a paused plan says so); again after a plan is paused or resumed. */
export async function fillPlans() {
  const { plans } = await gql(PLANS);
  fill(
    $('activity-plan'),
    h('option', { value: '' }, 'all plans'),
    plans.map((p) =>
      h(
        'option',
        { value: p.id, selected: p.id === view.planId },
        `${p.from} … ${p.to} (${p.id.slice(0, 8)})${p.paused ? ' · paused' : ''}`,
      ),
    ),
  );
}

/** Loads now (control changed, page opened). */
export async function loadActivity() {
  clearTimeout(view.timer);
  view.timer = null;
  view.loadedAt = Date.now();
  const asked = { range: view.range, clientId: view.clientId || null, planId: view.planId || null };
  view.loading = gql(QUERY, asked);
  const { activity } = await view.loading;
  // a newer choice may have been made while this one loaded
  if (asked.range !== view.range || (asked.clientId ?? '') !== view.clientId || (asked.planId ?? '') !== view.planId)
    return;
  view.shown = activity;
  renderActivity(activity);
}

/** Task events arrived: reload, but not more often than the range needs. */
export function scheduleActivity() {
  if (view.timer || !view.shown) return;
  const wait = Math.max(0, view.loadedAt + RELOAD_MS[view.range] - Date.now());
  view.timer = setTimeout(() => loadActivity().catch(reportError), wait);
}

export async function openActivity() {
  fillWorkers();
  await Promise.all([fillPlans(), loadActivity()]);
}

/** Completed tasks as bars with failed attempts stacked on them in red; a bucket's title has every count. */
export function renderActivity(a) {
  const box = $('activity-chart');
  box.dataset.range = a.range;
  fill(
    $('activity-totals'),
    `${fmt(a.completed)} completed · ${fmt(a.failed)} failed · ${fmt(a.dead)} dead · ${fmt(a.expired)} expired leases · ${fmt(a.documents)} documents`,
  );
  const W = Math.max(320, box.clientWidth || 960);
  const [H, L, R, T, B] = [190, 40, 16, 10, 24];
  const w = W - L - R;
  const hh = H - T - B;
  const buckets = a.buckets;
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.completed + b.failed)));
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: 'img',
    'aria-label': `tasks completed and failed attempts per ${a.bucketSeconds === 60 ? 'minute' : 'hour'}`,
  });
  for (let i = 0; i <= 4; i++) {
    const y = T + hh - (hh * i) / 4;
    svg.append(s('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid-line' }));
    svg.append(s('text', { x: L - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, fmt((max * i) / 4)));
  }
  const slot = w / Math.max(buckets.length, 1);
  const [every, unit] = TICKS[a.range];
  const minute = a.bucketSeconds === 60;
  buckets.forEach((b, i) => {
    const x = L + i * slot;
    const done = (hh * b.completed) / max;
    const failed = (hh * b.failed) / max;
    const group = s('g', { class: 'bucket', 'data-at': b.at, 'data-completed': b.completed, 'data-failed': b.failed });
    const when = new Date(b.at).toLocaleString(
      [],
      minute ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'short', hour: '2-digit', minute: '2-digit' },
    );
    group.append(
      s(
        'title',
        {},
        `${when}: ${b.completed} completed, ${b.failed} failed, ${b.dead} dead, ${b.expired} expired leases, ${b.documents} documents`,
      ),
    );
    group.append(s('rect', { x: x + 1, y: T + hh - done, width: Math.max(slot - 2, 1), height: done, class: 'bar' }));
    if (b.failed)
      group.append(
        s('rect', {
          x: x + 1,
          y: T + hh - done - failed,
          width: Math.max(slot - 2, 1),
          height: failed,
          class: 'bar fail',
        }),
      );
    svg.append(group);
    const ago = buckets.length - 1 - i;
    if (ago % every === 0) {
      const label = ago === 0 ? 'now' : unit === 'd' ? `−${ago / 24} d` : `−${ago} ${unit}`;
      svg.append(s('text', { x: x + slot / 2, y: H - 8, class: 'axis', 'text-anchor': 'middle' }, label));
    }
  });
  fill(box, svg);
}
