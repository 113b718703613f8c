// ---------------------------------------------------------------------------------------------------
// Tiles (the chart under them is activity.js)

import { RATE_TILE_MINUTES } from './config.js';
import { $, fmt } from './dom.js';
import { state } from './state.js';

export function renderStats(stats) {
  state.stats = stats;
  state.clockOffsetMs = new Date(stats.at).getTime() - Date.now();
  const set = (id, value) => ($(id).textContent = value);
  set('t-pending', fmt(stats.pending));
  set('t-running', fmt(stats.running));
  set('t-completed', fmt(stats.completed));
  set('t-failed', fmt(stats.failed));
  set('t-dead', fmt(stats.dead));
  set('t-workers', fmt(stats.activeClients));
  renderRate();
}

/**
 * Documents per minute now: the documents of the last RATE_TILE_MINUTES full minutes of the gate's per-minute
 * rollup (statsUpdated's throughput), on the gate's clock. Redrawn every second, so the rate falls to 0 when work
 * stops, without an event; never an average since the page opened or since the gate started.
 */
export function renderRate() {
  const stats = state.stats;
  if (!stats) return;
  const minute = Math.floor((Date.now() + state.clockOffsetMs) / 60_000) * 60_000;
  const from = minute - RATE_TILE_MINUTES * 60_000;
  const documents = stats.throughput
    .filter((b) => {
      const at = new Date(b.minute).getTime();
      return at >= from && at < minute;
    })
    .reduce((sum, b) => sum + b.documents, 0);
  const rate = documents / RATE_TILE_MINUTES;
  const text = rate.toFixed(rate < 10 ? 1 : 0);
  if ($('t-dpm').textContent !== text) $('t-dpm').textContent = text;
}

export function niceMax(value) {
  if (value <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}
