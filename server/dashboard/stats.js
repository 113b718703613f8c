// ---------------------------------------------------------------------------------------------------
// Tiles and the throughput chart

import { $, fill, fmt, s } from './dom.js';

export function renderStats(stats) {
  const set = (id, value) => ($(id).textContent = value);
  set('t-pending', fmt(stats.pending));
  set('t-running', fmt(stats.running));
  set('t-completed', fmt(stats.completed));
  set('t-failed', fmt(stats.failed));
  set('t-dead', fmt(stats.dead));
  set('t-workers', fmt(stats.activeClients));
  set('t-dpm', stats.documentsPerMinute.toFixed(stats.documentsPerMinute < 10 ? 1 : 0));
  renderChart(stats.throughput);
}

export let lastBuckets = [];
addEventListener('resize', () => renderChart(lastBuckets));

/** Drawn at the container's own width (text stays its real size), a fixed height. */
export function renderChart(buckets) {
  lastBuckets = buckets;
  const W = Math.max(320, $('chart').clientWidth || 960),
    H = 190,
    L = 40,
    R = 40,
    T = 10,
    B = 24;
  const w = W - L - R,
    hh = H - T - B;
  const n = Math.max(buckets.length, 1);
  const maxDocs = niceMax(Math.max(0, ...buckets.map((b) => b.documents)));
  const maxDone = niceMax(Math.max(0, ...buckets.map((b) => b.tasksCompleted)));
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: 'img',
    'aria-label': 'documents and completed tasks per minute',
  });
  for (let i = 0; i <= 4; i++) {
    const y = T + hh - (hh * i) / 4;
    svg.append(s('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid-line' }));
    svg.append(s('text', { x: L - 6, y: y + 4, class: 'axis docs', 'text-anchor': 'end' }, fmt((maxDocs * i) / 4)));
    svg.append(s('text', { x: W - R + 6, y: y + 4, class: 'axis done' }, fmt((maxDone * i) / 4)));
  }
  const slot = w / n;
  const points = [];
  buckets.forEach((b, i) => {
    const x = L + i * slot;
    const bh = (hh * b.documents) / maxDocs;
    const bar = s('rect', {
      x: x + 1,
      y: T + hh - bh,
      width: Math.max(slot - 2, 1),
      height: Math.max(bh, 0),
      class: 'bar',
    });
    const when = new Date(b.minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    bar.append(s('title', {}, `${when}: ${b.documents} documents, ${b.tasksCompleted} tasks completed`));
    svg.append(bar);
    points.push(`${x + slot / 2},${T + hh - (hh * b.tasksCompleted) / maxDone}`);
    const ago = n - 1 - i;
    if (ago % 15 === 0) {
      svg.append(
        s(
          'text',
          { x: x + slot / 2, y: H - 8, class: 'axis', 'text-anchor': 'middle' },
          ago === 0 ? 'now' : `−${ago} min`,
        ),
      );
    }
  });
  if (points.length) svg.append(s('polyline', { points: points.join(' '), class: 'line' }));
  fill($('chart'), svg);
}

export function niceMax(value) {
  if (value <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}
