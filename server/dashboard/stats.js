// ---------------------------------------------------------------------------------------------------
// Tiles (the chart under them is activity.js)

import { $, fmt } from './dom.js';

export function renderStats(stats) {
  const set = (id, value) => ($(id).textContent = value);
  set('t-pending', fmt(stats.pending));
  set('t-running', fmt(stats.running));
  set('t-completed', fmt(stats.completed));
  set('t-failed', fmt(stats.failed));
  set('t-dead', fmt(stats.dead));
  set('t-workers', fmt(stats.activeClients));
  set('t-dpm', stats.documentsPerMinute.toFixed(stats.documentsPerMinute < 10 ? 1 : 0));
}

export function niceMax(value) {
  if (value <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}
