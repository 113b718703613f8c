// ---------------------------------------------------------------------------------------------------
// Coverage (planning): shown only when the gate's API has a `coverage` query. Its shape is read by
// introspection, so the view follows the planning API as it grows: plans to pick from (when there is a
// `plans` query), then the chosen plan's coverage, with lists of windows as tables.

import { $, compact, fill, fmt, h, shortId } from './dom.js';
import { state } from './state.js';
import { gql } from './gate.js';
import { pausedBadge, pauseToggle } from './pauses.js';

export const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';

export function unwrap(type) {
  let list = false;
  while (type.ofType) {
    if (type.kind === 'LIST') list = true;
    type = type.ofType;
  }
  return { name: type.name, kind: type.kind, list };
}

/** The type as GraphQL writes it, for a variable declaration: `[ID!]!`. */
export function printType(type) {
  if (type.kind === 'NON_NULL') return `${printType(type.ofType)}!`;
  if (type.kind === 'LIST') return `[${printType(type.ofType)}]`;
  return type.name;
}

export async function detectCoverage() {
  const data = await gql(`query Q { __type(name: "Query") { fields { name type { ${TYPE_REF} }
      args { name defaultValue type { ${TYPE_REF} } } } } }`);
  const fields = data.__type?.fields ?? [];
  const coverage = fields.find((f) => f.name === 'coverage');
  $('coverage-tab').hidden = !coverage;
  if (!coverage) return;
  const plans = fields.find((f) => f.name === 'plans' && f.args.every((a) => a.type.kind !== 'NON_NULL'));
  const args = coverage.args.map((a) => ({
    argName: a.name,
    type: printType(a.type),
    ...unwrap(a.type),
    required: a.type.kind === 'NON_NULL' && a.defaultValue == null,
  }));
  state.coverage = {
    args,
    planArg: plans ? args.find((a) => /plan/i.test(a.argName)) : undefined,
    selection: await selectionFor(unwrap(coverage.type), 1),
    plansSelection: plans ? await selectionFor(unwrap(plans.type), 0) : null,
    values: {},
    plans: [],
  };
}

/** Scalars and enums of a type, and of the object types under it up to `depth` levels. */
export async function selectionFor(type, depth) {
  if (type.kind !== 'OBJECT') return '';
  const data = await gql(`query T($name: String!) { __type(name: $name) { fields { name type { ${TYPE_REF} } } } }`, {
    name: type.name,
  });
  const parts = [];
  for (const field of data.__type?.fields ?? []) {
    const inner = unwrap(field.type);
    if (inner.kind === 'SCALAR' || inner.kind === 'ENUM') parts.push(field.name);
    else if (inner.kind === 'OBJECT' && depth > 0) {
      const selection = await selectionFor(inner, depth - 1);
      if (selection) parts.push(`${field.name} { ${selection} }`);
    }
  }
  return parts.join(' ');
}

export function renderCoverageView() {
  const c = state.coverage;
  const asked = c.args.filter((a) => a !== c.planArg);
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        for (const input of form.querySelectorAll('input')) c.values[input.name] = input.value.trim();
        loadCoverage();
      },
    },
    asked.map((a) =>
      h(
        'label',
        {},
        `${a.argName}${a.required ? ' *' : ''}`,
        h('input', { name: a.argName, value: c.values[a.argName] ?? '', placeholder: a.type }),
      ),
    ),
    h('button', { type: 'submit' }, 'Show'),
  );
  fill(
    $('coverage'),
    h('h2', {}, 'Coverage ', h('small', {}, 'per planned window: expected, downloaded, tasks by state')),
    c.plansSelection ? h('div', { id: 'plans' }) : null,
    asked.length ? form : null,
    h('div', { id: 'coverage-result' }),
  );
}

export async function loadCoverage() {
  const c = state.coverage;
  if (!c) return;
  if (!$('coverage-result')) renderCoverageView();
  if (c.plansSelection) {
    try {
      const data = await gql(`query Plans { plans(first: 50) { ${c.plansSelection} } }`);
      c.plans = data.plans;
      renderPlans();
    } catch (error) {
      fill($('plans'), h('p', { class: 'error' }, error.message));
    }
  }
  const result = $('coverage-result');
  const missing = c.args.filter((a) => a.required && !c.values[a.argName]);
  if (missing.length) {
    const what = missing.every((a) => a === c.planArg)
      ? c.plans.length
        ? 'Pick a plan.'
        : 'No plans yet.'
      : `Enter ${missing.map((a) => a.argName).join(', ')}.`;
    return fill(result, h('p', { class: 'muted' }, what));
  }
  const given = c.args.filter((a) => c.values[a.argName]);
  const variables = Object.fromEntries(given.map((a) => [a.argName, argValue(a, c.values[a.argName])]));
  const declared = given.map((a) => `$${a.argName}: ${a.type}`).join(', ');
  const call = given.map((a) => `${a.argName}: $${a.argName}`).join(', ');
  try {
    const data = await gql(
      `query Coverage${declared ? `(${declared})` : ''} { coverage${call ? `(${call})` : ''}${c.selection ? ` { ${c.selection} }` : ''} }`,
      variables,
    );
    // the plan itself is the picked row above
    const { plan, ...coverage } = c.planArg && data.coverage ? data.coverage : { plan: null, ...data.coverage };
    fill(result, planBar(), renderValue(c.planArg ? coverage : { plan, ...coverage }));
  } catch (error) {
    fill(result, h('p', { class: 'error' }, error.message));
  }
}

/** The picked plan: paused or not, and Pause/Resume (admins). */
function planBar() {
  const c = state.coverage;
  const picked = c.planArg && c.plans.find((p) => p.id === c.values[c.planArg.argName]);
  if (!picked || typeof picked.paused !== 'boolean') return null;
  return h(
    'p',
    { class: 'plan-controls', dataset: { id: picked.id } },
    'Plan ',
    h('code', { title: picked.id }, shortId(picked.id)),
    ' ',
    picked.paused ? pausedBadge() : null,
    ' ',
    pauseToggle('Plan', picked.id, picked.paused, loadCoverage),
  );
}

export function renderPlans() {
  const c = state.coverage;
  const chosen = c.values[c.planArg?.argName];
  fill(
    $('plans'),
    c.plans.length
      ? renderValue(
          c.plans,
          (plan) => {
            c.values[c.planArg.argName] = plan.id;
            loadCoverage();
          },
          (plan) => plan.id === chosen,
        )
      : h('p', { class: 'muted' }, 'No plans yet.'),
  );
}

export function argValue(a, text) {
  if (['Int', 'Float', 'SafeInt'].includes(a.name)) return Number(text);
  if (a.name === 'Boolean') return text === 'true';
  if (a.kind === 'INPUT_OBJECT' || a.name === 'JSON' || a.list) {
    try {
      return JSON.parse(text);
    } catch {
      return a.list ? text.split(',').map((x) => x.trim()) : text;
    }
  }
  return text;
}

export let coverageTimer;
export function scheduleCoverage() {
  coverageTimer ??= setTimeout(() => {
    coverageTimer = undefined;
    loadCoverage();
  }, 2000);
}

/** Lists of objects as tables (rows clickable with `pick`), objects as key/value lists, the rest as text. */
export function renderValue(value, pick, isPicked) {
  if (value == null) return h('span', { class: 'muted' }, '—');
  if (Array.isArray(value)) {
    if (!value.length) return h('p', { class: 'muted' }, 'none');
    if (typeof value[0] !== 'object') return value.join(', ');
    const first = ['id', 'state', 'status', 'from', 'to', 'searchParams', 'window'];
    const rank = (c) => (first.includes(c) ? first.indexOf(c) : first.length);
    const columns = [...new Set(value.flatMap((row) => Object.keys(row ?? {})))].sort((a, b) => rank(a) - rank(b));
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: `grid ${pick ? 'pickable' : ''}` },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            columns.map((c) => h('th', {}, c)),
          ),
        ),
        h(
          'tbody',
          {},
          value.map((row) =>
            h(
              'tr',
              { class: isPicked?.(row) ? 'picked' : null, onclick: pick && (() => pick(row)) },
              columns.map((c) => h('td', {}, cell(c, row?.[c]))),
            ),
          ),
        ),
      ),
    );
  }
  if (typeof value === 'object') {
    const scalars = Object.entries(value).filter(([, v]) => v === null || typeof v !== 'object');
    const nested = Object.entries(value).filter(([, v]) => v !== null && typeof v === 'object');
    return h(
      'div',
      {},
      h(
        'dl',
        { class: 'facts' },
        scalars.map(([k, v]) => [h('dt', {}, k), h('dd', {}, cell(k, v))]),
      ),
      nested.map(([k, v]) => [h('h3', {}, k), Array.isArray(v) ? renderValue(v) : h('code', {}, compact(v))]),
    );
  }
  return String(value);
}

export function cell(name, value) {
  if (value == null) return h('span', { class: 'muted' }, '—');
  if (name === 'paused' && value === true) return pausedBadge();
  if (typeof value === 'boolean') return h('span', { class: value ? 'yes' : 'no' }, value ? 'yes' : 'no');
  if (typeof value === 'object') return Array.isArray(value) ? value.join(', ') : compact(value);
  if (name === 'id' || name.endsWith('Id')) return h('code', { title: value }, shortId(String(value)));
  if (name === 'state' || name === 'status')
    return h('span', { class: `badge s-${String(value).toLowerCase()}` }, String(value).toLowerCase());
  return typeof value === 'number' ? fmt(value) : String(value);
}
