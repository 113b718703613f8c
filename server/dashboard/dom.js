// Building DOM nodes (never from HTML strings) and formatting values for display.

export const $ = (id) => document.getElementById(id);

/** Builds an element; children are nodes or text (never parsed as HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...nodes(children));
  return el;
}

/** Children as nodes: nested lists flattened, null and false left out, the rest as text. */
export function nodes(children) {
  return children
    .flat(Infinity)
    .filter((c) => c != null && c !== false)
    .map((c) => (c instanceof Node ? c : String(c)));
}

/** Replaces an element's content with these children (as `h` takes them). */
export function fill(el, ...children) {
  el.replaceChildren(...nodes(children));
}

export const number = new Intl.NumberFormat();
export function fmt(n) {
  return n == null ? '–' : number.format(Math.round(n * 10) / 10);
}

export function shortId(id) {
  return id.slice(0, 8);
}

export function statusBadge(status) {
  return h('span', { class: `badge s-${status.toLowerCase()}`, 'data-status': status }, status.toLowerCase());
}

export function paramsText(params) {
  if (!params || typeof params !== 'object') return '—';
  return (
    Object.entries(params)
      .map(([k, v]) => `${k}=${[v].flat().join(',')}`)
      .join(' · ') || '—'
  );
}

export function compact(value) {
  return Object.entries(value)
    .filter(([, v]) => v != null)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(', ');
}

export function duration(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

export function ago(iso) {
  return duration((Date.now() - new Date(iso).getTime()) / 1000);
}

/** "12 s ago" that keeps ticking: tickTimes() (every second, app.js) rewrites every such element. */
export function since(iso, attrs = {}) {
  return h('span', { ...attrs, class: `ago ${attrs.class ?? ''}`.trim(), dataset: { at: iso } }, ago(iso));
}

export function tickTimes(root = document) {
  for (const el of root.querySelectorAll('.ago[data-at]')) {
    const text = ago(el.dataset.at);
    if (el.textContent !== text) el.textContent = text;
  }
}

/** An SVG element (the throughput chart). */
const SVG = 'http://www.w3.org/2000/svg';
export function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}
