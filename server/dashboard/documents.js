// ---------------------------------------------------------------------------------------------------
// Documents: search the decisions (full text + filters), read one, and a chart of what the filter matches
// (per month, by region or by form). The decision's HTML is the court's document: it is shown in a
// sandboxed iframe (srcdoc, no allow-scripts, no same origin), so none of its scripts ever run — and the
// page's CSP, which the frame inherits, forbids them again. Snippets arrive with <mark> around matches and
// everything else escaped; they are turned into nodes here, never parsed as HTML.

import { $, fill, fmt, h, s } from './dom.js';
import { gql } from './gate.js';
import { reportError } from './notices.js';
import { niceMax } from './stats.js';

const PAGE = 25;
const HIT_FIELDS = `documentId caseNumber adoptedOn decisionFormName proceedingFormName courtName courtRegionName judge`;
const READER_FIELDS = `documentId caseNumber proceedingNumber courtName courtCode courtRegionName instanceName judge
  decisionFormName proceedingFormName caseCategory adoptedOn sentOn registeredOn publishedOn inForceOn sourceUrl`;

const docs = {
  ready: false,
  filter: {},
  query: '',
  after: null,
  hits: [],
  total: 0,
  exact: true,
  hasNext: false,
  chartBy: 'MONTH',
  selected: null,
  content: null,
};

/** Which content fields Document has (the document store adds html and text). */
async function contentFields() {
  const data = await gql('query D { __type(name: "Document") { fields { name } } }');
  const names = new Set((data.__type?.fields ?? []).map((f) => f.name));
  return { html: names.has('html'), text: names.has('text') };
}

/** The first time the tab opens: the form's choices from what the corpus holds, then a first search. */
export async function openDocuments() {
  if (!docs.ready) {
    docs.ready = true;
    docs.content = await contentFields();
    setUpForm();
    await loadChoices();
  }
  await Promise.all([search(), loadChart()]);
}

function setUpForm() {
  const form = $('doc-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    readForm();
    Promise.all([search(), loadChart()]).catch(reportError);
  });
  $('doc-clear').addEventListener('click', () => {
    form.reset();
    readForm();
    Promise.all([search(), loadChart()]).catch(reportError);
  });
  $('doc-more').addEventListener('click', () => search(true).catch(reportError));
  $('doc-chart-by').addEventListener('change', (event) => {
    docs.chartBy = event.target.value;
    loadChart().catch(reportError);
  });
  $('doc-reader-close').addEventListener('click', () => {
    docs.selected = null;
    $('doc-reader').hidden = true;
    for (const el of document.querySelectorAll('#doc-hits li')) el.classList.remove('selected');
  });
}

/** Regions, forms and kinds present in the corpus, with their counts, as the selects' options. */
async function loadChoices() {
  const q = `query C { regions: documentStats(groupBy: [REGION]) { groups { courtRegion courtRegionName count } }
    forms: documentStats(groupBy: [FORM]) { groups { decisionForm decisionFormName count } }
    kinds: documentStats(groupBy: [KIND]) { groups { proceedingForm proceedingFormName count } } }`;
  const data = await gql(q);
  const options = (select, groups, code, name) =>
    fill(
      $(select),
      h('option', { value: '' }, 'any'),
      groups
        .filter((g) => g[code])
        .map((g) => h('option', { value: g[code] }, `${g[name] ?? g[code]} (${fmt(g.count)})`)),
    );
  options('doc-region', data.regions.groups, 'courtRegion', 'courtRegionName');
  options('doc-form-select', data.forms.groups, 'decisionForm', 'decisionFormName');
  options('doc-kind', data.kinds.groups, 'proceedingForm', 'proceedingFormName');
}

function readForm() {
  const value = (id) => $(id).value.trim();
  const list = (v) => (v ? [v] : null);
  docs.query = value('doc-query');
  const from = value('doc-from');
  const to = value('doc-to');
  docs.filter = {
    courtRegions: list(value('doc-region')),
    decisionForms: list(value('doc-form-select')),
    proceedingForms: list(value('doc-kind')),
    courtNames: list(value('doc-court')),
    judges: list(value('doc-judge')),
    caseNumber: value('doc-case') || null,
    adoptedOn: from || to ? { from: from || null, to: to || null } : null,
  };
}

async function search(more = false) {
  $('doc-error').hidden = true;
  const data = await gql(
    `query S($filter: DocumentFilter, $query: String, $after: String) {
      documents(filter: $filter, query: $query, first: ${PAGE}, after: $after) {
        totalCount totalCountExact pageInfo { hasNextPage endCursor }
        edges { snippet node { ${HIT_FIELDS} } } } }`,
    { filter: docs.filter, query: docs.query || null, after: more ? docs.after : null },
  ).catch((error) => {
    showError(error);
    return null;
  });
  if (!data) return;
  const found = data.documents;
  docs.hits = more ? [...docs.hits, ...found.edges] : found.edges;
  docs.total = found.totalCount;
  docs.exact = found.totalCountExact;
  docs.after = found.pageInfo.endCursor;
  docs.hasNext = found.pageInfo.hasNextPage;
  renderHits();
}

function showError(error) {
  const el = $('doc-error');
  el.textContent = error.message;
  el.hidden = false;
  fill($('doc-hits'));
  $('doc-count').textContent = '';
  $('doc-more').hidden = true;
}

/** «<mark>word</mark> and &amp; more» → text nodes and <mark> elements. */
export function snippetNodes(snippet) {
  const decode = (text) =>
    text
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  return snippet.split(/(<mark>.*?<\/mark>)/).map((part) => {
    const marked = /^<mark>(.*)<\/mark>$/.exec(part);
    return marked ? h('mark', {}, decode(marked[1])) : decode(part);
  });
}

function renderHits() {
  $('doc-count').textContent = docs.total
    ? `${fmt(docs.hits.length)} of ${docs.exact ? '' : '~'}${fmt(docs.total)}`
    : '';
  $('doc-empty').hidden = docs.hits.length > 0;
  $('doc-more').hidden = !docs.hasNext;
  fill(
    $('doc-hits'),
    docs.hits.map(({ node: d, snippet }) =>
      h(
        'li',
        {
          dataset: { id: d.documentId },
          class: d.documentId === docs.selected ? 'selected' : null,
          tabindex: 0,
          onclick: () => openReader(d.documentId).catch(reportError),
          onkeydown: (event) => event.key === 'Enter' && openReader(d.documentId).catch(reportError),
        },
        h(
          'div',
          { class: 'hit-head' },
          h('b', {}, d.decisionFormName ?? 'Документ'),
          ' ',
          h('span', { class: 'case' }, d.caseNumber ? `№ ${d.caseNumber}` : ''),
          h('span', { class: 'date' }, d.adoptedOn ?? ''),
        ),
        h('div', { class: 'hit-court' }, [d.courtName, d.judge].filter(Boolean).join(' · ')),
        snippet ? h('p', { class: 'snippet' }, snippetNodes(snippet)) : null,
      ),
    ),
  );
}

async function openReader(documentId) {
  docs.selected = documentId;
  for (const el of document.querySelectorAll('#doc-hits li'))
    el.classList.toggle('selected', el.dataset.id === documentId);
  const content = [docs.content.html && 'html', docs.content.text && 'text'].filter(Boolean).join(' ');
  const { document: d } = await gql(`query R($id: ID!) { document(id: $id) { ${READER_FIELDS} ${content} } }`, {
    id: documentId,
  });
  if (!d || docs.selected !== documentId) return;
  const reader = $('doc-reader');
  reader.hidden = false;
  $('doc-reader-title').textContent = `${d.decisionFormName ?? 'Документ'} № ${d.caseNumber ?? d.documentId}`;
  const link = $('doc-reader-link');
  link.href = d.sourceUrl ?? `https://reyestr.court.gov.ua/Review/${d.documentId}`;
  const facts = [
    ['Суд', d.courtName],
    ['Регіон', d.courtRegionName],
    ['Суддя', d.judge],
    ['Форма', [d.decisionFormName, d.proceedingFormName, d.instanceName].filter(Boolean).join(' · ')],
    ['Ухвалено', d.adoptedOn],
    ['Набрало сили', d.inForceOn],
    ['Оприлюднено', d.publishedOn],
    ['Провадження', d.proceedingNumber],
    ['Категорія', d.caseCategory],
  ].filter(([, v]) => v);
  fill(
    $('doc-facts'),
    facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
  const body = $('doc-body');
  if (d.html) {
    // sandbox="" : no scripts, no same origin, no forms, no popups, no top navigation
    const frame = h('iframe', { sandbox: '', referrerpolicy: 'no-referrer', title: 'decision', class: 'decision' });
    frame.srcdoc = d.html;
    fill(body, frame);
  } else if (d.text) fill(body, h('pre', { class: 'decision-text' }, d.text));
  else fill(body, h('p', { class: 'empty' }, 'The gate has no stored text of this decision; read it on the registry.'));
}

// The chart: decisions matching the filter per month, by region or by form.
const CHART = {
  MONTH: { label: (g) => g.month ?? '—', fields: 'month' },
  REGION: { label: (g) => g.courtRegionName ?? g.courtRegion ?? '—', fields: 'courtRegion courtRegionName' },
  FORM: { label: (g) => g.decisionFormName ?? g.decisionForm ?? '—', fields: 'decisionForm decisionFormName' },
};

async function loadChart() {
  const by = CHART[docs.chartBy];
  const data = await gql(
    `query Chart($filter: DocumentFilter, $query: String) {
      documentStats(groupBy: [${docs.chartBy}], filter: $filter, query: $query) { groups { ${by.fields} count } } }`,
    { filter: docs.filter, query: docs.query || null },
  ).catch(() => null);
  renderDocChart(data?.documentStats.groups ?? [], by.label);
}

function renderDocChart(groups, label) {
  const shown = docs.chartBy === 'MONTH' ? groups.filter((g) => g.month).slice(-120) : groups.slice(0, 30);
  const W = Math.max(320, $('doc-chart').clientWidth || 900),
    H = 170,
    L = 44,
    T = 8,
    B = 46;
  const max = niceMax(Math.max(0, ...shown.map((g) => g.count)));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'decisions' });
  for (let i = 0; i <= 4; i++) {
    const y = T + (H - T - B) * (1 - i / 4);
    svg.append(s('line', { x1: L, x2: W - 8, y1: y, y2: y, class: 'grid-line' }));
    svg.append(s('text', { x: L - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, fmt((max * i) / 4)));
  }
  const slot = Math.min(64, (W - L - 8) / Math.max(shown.length, 1));
  const every = Math.ceil(shown.length / Math.max(1, Math.floor((W - L) / 70)));
  shown.forEach((g, i) => {
    const bh = ((H - T - B) * g.count) / max;
    const x = L + i * slot;
    const bar = s('rect', {
      x: x + 1,
      y: T + (H - T - B) - bh,
      width: Math.max(slot - 2, 1),
      height: bh,
      class: 'bar',
    });
    bar.append(s('title', {}, `${label(g)}: ${g.count}`));
    svg.append(bar);
    if (i % every === 0) {
      const text = label(g);
      svg.append(
        s(
          'text',
          { x: x + slot / 2, y: H - B + 14, class: 'axis', 'text-anchor': 'middle' },
          text.length > 14 ? `${text.slice(0, 13)}…` : text,
        ),
      );
    }
  });
  $('doc-chart-empty').hidden = shown.length > 0;
  fill($('doc-chart'), svg);
}
