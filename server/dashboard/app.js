// The gate's live dashboard: plain DOM code over the public GraphQL API. Snapshots come from queries over
// HTTP; everything after that arrives over one graphql-ws connection (statsUpdated, taskEvents,
// clientUpdated), so the page never polls. graphql-ws's browser build is loaded first and sets
// window.graphqlWs.

const KEY_STORAGE = 'reyestr.dashboard.apiKey';
const GRAPHQL_URL = new URL('../graphql', location.href).href;
const WS_URL = GRAPHQL_URL.replace(/^http/, 'ws');
const THROUGHPUT_MINUTES = 60;
const PAGE_SIZE = 50;
/** A worker heartbeats every third of the lease (60 s by default): a whole lease without one is late. */
const LATE_AFTER_SECONDS = 60;
const DOCS_RATE_WINDOW_MS = 5 * 60_000;
const STATUSES = ['PENDING', 'CLAIMED', 'RUNNING', 'COMPLETED', 'FAILED', 'DEAD', 'CANCELLED'];
const ACTIVE = new Set(['CLAIMED', 'RUNNING']);
const CANCELLABLE = new Set(['PENDING', 'CLAIMED', 'RUNNING']);
const RETRYABLE = new Set(['FAILED', 'DEAD', 'CANCELLED']);

const TASK_FIELDS = `id kind status priority attempts maxAttempts searchParams startPage maxDocuments
  documentsDownloaded documentsFailed documentsSkipped totalExpected lastError lastErrorClass
  createdAt updatedAt leaseHolder { id name }`;
const CLIENT_FIELDS = `id name host version status lastHeartbeatAt tasksCompleted tasksFailed documentsDownloaded
  currentTasks { id status documentsDownloaded totalExpected maxDocuments }`;
const EVENT_FIELDS = `seq type status taskId clientId createdAt data client { name }`;

const $ = (id) => document.getElementById(id);

/** Builds an element; children are nodes or text (never parsed as HTML). */
function h(tag, attrs = {}, ...children) {
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
function nodes(children) {
  return children.flat(Infinity).filter((c) => c != null && c !== false).map((c) => (c instanceof Node ? c : String(c)));
}

/** Replaces an element's content with these children (as `h` takes them). */
function fill(el, ...children) {
  el.replaceChildren(...nodes(children));
}

const state = {
  key: sessionStorage.getItem(KEY_STORAGE),
  role: null,
  authEnabled: true,
  ws: null,
  connectedOnce: false,
  online: false,
  /** tasks shown, by id, and their order (newest first, as the gate lists them) */
  tasks: new Map(),
  order: [],
  totalCount: 0,
  endCursor: null,
  hasNext: false,
  filter: { status: [], params: null, clientId: '' },
  clients: new Map(),
  lastSeq: null,
  /** per task the documents count last seen, and per worker the progress it made (for docs/min) */
  taskDocs: new Map(),
  docSamples: new Map(),
  lateChecked: new Map(),
  detailId: null,
  detail: null,
  coverage: null,
  view: 'tasks',
};

// ---------------------------------------------------------------------------------------------------
// Talking to the gate

class GateDown extends Error {}
class AuthError extends Error {}

async function gql(query, variables = {}) {
  let res;
  try {
    res = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(state.key ? { 'x-api-key': state.key } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GateDown('the gate is not answering');
  }
  if (res.status >= 502) throw new GateDown(`the gate answered ${res.status}`);
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`unexpected answer (HTTP ${res.status})`);
  }
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code;
    if (code === 'UNAUTHENTICATED' || (code === 'FORBIDDEN' && !state.role)) throw new AuthError(error.message);
    throw new Error(error.message);
  }
  return body.data;
}

// ---------------------------------------------------------------------------------------------------
// Start, sign in, sign out

async function boot() {
  let me;
  try {
    ({ me } = await gql('query Me { me { role authEnabled } }'));
  } catch (error) {
    if (error instanceof AuthError) return showLogin(state.key ? 'The gate refused this key.' : null);
    if (error instanceof GateDown) {
      showBanner('The gate is not answering. Retrying…');
      return setTimeout(boot, 2000);
    }
    return showBanner(`Cannot load the dashboard: ${error.message}`);
  }
  hideBanner();
  state.role = me.role;
  state.authEnabled = me.authEnabled;
  $('login').hidden = true;
  $('app').hidden = false;
  document.body.classList.toggle('read-only', me.role !== 'ADMIN');
  const role = $('role');
  role.hidden = false;
  role.textContent = !me.authEnabled ? 'auth off' : me.role === 'ADMIN' ? 'admin' : 'worker · read-only';
  role.className = `role ${me.role === 'ADMIN' ? 'admin' : 'reader'}`;
  $('sign-out').hidden = !me.authEnabled;
  $('late-after').textContent = String(LATE_AFTER_SECONDS);
  setUpFilters();
  connect();
  await Promise.all([loadTasks(), loadClients(), detectCoverage()]).catch(reportError);
  document.body.dataset.loaded = 'true';
}

function showLogin(message) {
  $('app').hidden = true;
  $('login').hidden = false;
  const error = $('login-error');
  error.hidden = !message;
  error.textContent = message ?? '';
  $('login-key').focus();
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('login-key').value.trim();
  if (!key) return;
  state.key = key;
  sessionStorage.setItem(KEY_STORAGE, key);
  $('login-key').value = '';
  boot();
});

$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  state.ws?.dispose();
  location.reload();
});

// ---------------------------------------------------------------------------------------------------
// Live: one graphql-ws connection, three subscriptions

function connect() {
  const { createClient } = window.graphqlWs;
  const ws = createClient({
    url: WS_URL,
    connectionParams: () => (state.key ? { apiKey: state.key } : {}),
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5000))),
    on: {
      connected: () => {
        const reconnected = state.connectedOnce;
        state.connectedOnce = true;
        setOnline(true);
        if (reconnected) resync();
      },
      closed: (event) => {
        if (event?.code === 4403) {
          // the key was revoked (or the gate no longer knows it)
          ws.dispose();
          sessionStorage.removeItem(KEY_STORAGE);
          state.key = null;
          return showLogin('The gate no longer accepts this key.');
        }
        if (state.online || !state.connectedOnce) setOnline(false);
      },
    },
  });
  state.ws = ws;

  live(`subscription Stats($minutes: Int) { statsUpdated(minutes: $minutes) {
      pending running completed failed dead activeClients documentsPerMinute throughput { minute documents tasksCompleted } } }`,
    { minutes: THROUGHPUT_MINUTES }, (data) => renderStats(data.statsUpdated));

  // graphql-ws sends this same payload object again when it resubscribes after a reconnect: keeping
  // afterSeq current in it makes the gate replay exactly the events this page missed.
  const events = { afterSeq: null };
  live(`subscription Events($afterSeq: SafeInt) { taskEvents(afterSeq: $afterSeq) {
      ${EVENT_FIELDS} task { ${TASK_FIELDS} } client { ${CLIENT_FIELDS} } } }`, events, (data) => {
    const event = data.taskEvents;
    events.afterSeq = state.lastSeq = event.seq;
    onTaskEvent(event);
  });

  live(`subscription Clients { clientUpdated { ${CLIENT_FIELDS} } }`, {}, (data) => upsertClient(data.clientUpdated));
}

function live(query, variables, next) {
  state.ws.subscribe({ query, variables }, {
    next: (result) => {
      if (result.errors?.length) return reportError(new Error(result.errors[0].message));
      try {
        next(result.data);
      } catch (error) {
        console.error(error);
      }
    },
    error: (error) => console.warn('subscription ended', error),
    complete: () => {},
  });
}

function setOnline(online) {
  state.online = online;
  document.body.classList.toggle('offline', !online && state.connectedOnce);
  const badge = $('live');
  badge.dataset.state = online ? 'live' : 'offline';
  badge.textContent = online ? 'live' : 'offline';
  if (online) hideBanner();
  else if (state.connectedOnce) {
    showBanner(`The gate is not answering (connection lost at ${new Date().toLocaleTimeString()}). ` +
      'Retrying; the page catches up by itself when the gate is back.');
  } else showBanner('Cannot open the live connection to the gate. Retrying…');
}

/** After a reconnect: the snapshots again (the event subscription replays from the last seq by itself). */
function resync() {
  Promise.all([loadTasks(Math.max(PAGE_SIZE, state.order.length)), loadClients(), state.detailId && loadDetail(state.detailId)])
    .then(() => state.view === 'coverage' && loadCoverage())
    .catch(reportError);
}

function onTaskEvent(event) {
  const task = event.task;
  if (event.client) upsertClient(event.client);
  countDocuments(event.clientId ?? task.leaseHolder?.id, task);
  upsertTask(task);
  if (state.detailId === event.taskId && state.detail) {
    state.detail.events.unshift(event);
    Object.assign(state.detail, task);
    if (event.type === 'COMPLETED' || event.type === 'PROGRESS') loadDetail(event.taskId).catch(reportError);
    else renderDetail();
  }
  scheduleRecount();
  if (state.view === 'coverage') scheduleCoverage();
}

// ---------------------------------------------------------------------------------------------------
// Tiles and the throughput chart

function renderStats(stats) {
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

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}

let lastBuckets = [];
addEventListener('resize', () => renderChart(lastBuckets));

/** Drawn at the container's own width (text stays its real size), a fixed height. */
function renderChart(buckets) {
  lastBuckets = buckets;
  const W = Math.max(320, $('chart').clientWidth || 960), H = 190, L = 40, R = 40, T = 10, B = 24;
  const w = W - L - R, hh = H - T - B;
  const n = Math.max(buckets.length, 1);
  const maxDocs = niceMax(Math.max(0, ...buckets.map((b) => b.documents)));
  const maxDone = niceMax(Math.max(0, ...buckets.map((b) => b.tasksCompleted)));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'documents and completed tasks per minute' });
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
    const bar = s('rect', { x: x + 1, y: T + hh - bh, width: Math.max(slot - 2, 1), height: Math.max(bh, 0), class: 'bar' });
    const when = new Date(b.minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    bar.append(s('title', {}, `${when}: ${b.documents} documents, ${b.tasksCompleted} tasks completed`));
    svg.append(bar);
    points.push(`${x + slot / 2},${T + hh - (hh * b.tasksCompleted) / maxDone}`);
    const ago = n - 1 - i;
    if (ago % 15 === 0) {
      svg.append(s('text', { x: x + slot / 2, y: H - 8, class: 'axis', 'text-anchor': 'middle' }, ago === 0 ? 'now' : `−${ago} min`));
    }
  });
  if (points.length) svg.append(s('polyline', { points: points.join(' '), class: 'line' }));
  fill($('chart'), svg);
}

function niceMax(value) {
  if (value <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

// ---------------------------------------------------------------------------------------------------
// Tasks table

function setUpFilters() {
  const box = $('status-filter');
  if (box.querySelector('input')) return;
  for (const status of STATUSES) {
    box.append(h('label', { class: `chip s-${status.toLowerCase()}` },
      h('input', { type: 'checkbox', value: status, onchange: applyFilters }), status.toLowerCase()));
  }
  let typing;
  $('f-params').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(applyFilters, 300);
  });
  $('f-worker').addEventListener('change', applyFilters);
  $('f-clear').addEventListener('click', () => {
    for (const box of document.querySelectorAll('#status-filter input')) box.checked = false;
    $('f-params').value = '';
    $('f-worker').value = '';
    applyFilters();
  });
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  $('more').addEventListener('click', () => loadTasks(PAGE_SIZE, state.endCursor).catch(reportError));
}

/** `CourtRegion=11 INSType=1,2` (or a JSON object) → search params; null when empty. */
function parseParams(text) {
  text = text.trim();
  if (!text) return null;
  if (text.startsWith('{')) return JSON.parse(text);
  const params = {};
  for (const part of text.split(/[\s;&]+/).filter(Boolean)) {
    const at = part.indexOf('=');
    if (at < 1) throw new Error(`"${part}": write Field=value`);
    const value = part.slice(at + 1);
    params[part.slice(0, at)] = value.includes(',') ? value.split(',') : value;
  }
  return params;
}

function applyFilters() {
  const error = $('filter-error');
  let params;
  try {
    params = parseParams($('f-params').value);
    error.hidden = true;
  } catch (e) {
    error.hidden = false;
    error.textContent = `Search params: ${e.message}`;
    return;
  }
  state.filter = {
    status: [...document.querySelectorAll('#status-filter input:checked')].map((box) => box.value),
    params,
    clientId: $('f-worker').value,
  };
  loadTasks().catch(reportError);
}

function gqlFilter() {
  const f = state.filter;
  return {
    ...(f.status.length ? { status: f.status } : {}),
    ...(f.params ? { searchParams: f.params } : {}),
    ...(f.clientId ? { clientId: f.clientId } : {}),
  };
}

let loadGeneration = 0;
async function loadTasks(first = PAGE_SIZE, after = null) {
  const generation = ++loadGeneration;
  const data = await gql(`query Tasks($filter: TaskFilter, $first: Int, $after: String) {
      tasks(filter: $filter, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } edges { node { ${TASK_FIELDS} } } } }`,
    { filter: gqlFilter(), first, after });
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

let recountTimer;
function scheduleRecount() {
  clearTimeout(recountTimer);
  recountTimer = setTimeout(async () => {
    try {
      const data = await gql('query Count($filter: TaskFilter) { tasks(filter: $filter, first: 1) { totalCount } }', { filter: gqlFilter() });
      state.totalCount = data.tasks.totalCount;
      scheduleRender();
    } catch {
      // the next event or reconnect counts again
    }
  }, 400);
}

function matchesFilter(task) {
  const f = state.filter;
  if (f.status.length && !f.status.includes(task.status)) return false;
  if (f.clientId && task.leaseHolder?.id !== f.clientId) return false;
  if (f.params) {
    for (const [field, wanted] of Object.entries(f.params)) {
      const have = [task.searchParams?.[field]].flat().map(String);
      if (![wanted].flat().map(String).every((v) => have.includes(v))) return false;
    }
  }
  return true;
}

function upsertTask(task) {
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

let renderTimer;
function scheduleRender() {
  renderTimer ??= setTimeout(() => {
    renderTimer = undefined;
    renderTasks();
    renderWorkers();
  }, 16);
}

function renderTasks() {
  const body = $('tasks').tBodies[0];
  const rows = new Map([...body.rows].map((row) => [row.dataset.id, row]));
  const admin = state.role === 'ADMIN';
  let previous = null;
  for (const id of state.order) {
    const task = state.tasks.get(id);
    const signature = JSON.stringify(task) + admin;
    let row = rows.get(id);
    rows.delete(id);
    // leave a row alone while its priority is being typed; it is redrawn when the field loses focus
    const busy = row && document.activeElement?.tagName === 'INPUT' && row.contains(document.activeElement);
    if (!row) row = h('tr', { dataset: { id } });
    if (row.dataset.signature !== signature && !busy) {
      row.dataset.signature = signature;
      row.dataset.status = task.status;
      row.replaceChildren(...taskCells(task, admin));
    }
    const expected = previous ? previous.nextSibling : body.firstChild;
    if (row !== expected) body.insertBefore(row, expected);
    previous = row;
  }
  for (const row of rows.values()) row.remove();
  $('tasks-empty').hidden = state.order.length > 0;
  $('more').hidden = !state.hasNext;
  $('tasks-count').textContent = fmt(state.totalCount);
}

function taskCells(task, admin) {
  const error = task.lastError || task.lastErrorClass
    ? h('span', { class: 'last-error', title: task.lastError ?? '' },
      task.lastErrorClass ? h('span', { class: 'err-class' }, task.lastErrorClass) : null, ' ', task.lastError ?? '')
    : h('span', { class: 'muted' }, '—');
  return [
    h('td', {}, h('button', { type: 'button', class: 'link task-id', title: task.id, onclick: () => openDetail(task.id) }, shortId(task.id)),
      task.kind === 'PLAN' ? h('span', { class: 'kind' }, 'plan') : null,
      h('div', { class: 'muted small', title: new Date(task.createdAt).toLocaleString() }, ago(task.createdAt))),
    h('td', {}, statusBadge(task.status)),
    h('td', { class: 'params', title: JSON.stringify(task.searchParams) }, paramsText(task.searchParams),
      h('div', { class: 'muted small' }, `from page ${task.startPage}`)),
    h('td', {}, task.leaseHolder?.name ?? h('span', { class: 'muted' }, '—')),
    h('td', {}, progress(task)),
    h('td', { class: 'num' }, admin ? priorityEditor(task) : String(task.priority)),
    h('td', { class: 'num' }, `${task.attempts} / ${task.maxAttempts}`),
    h('td', {}, error),
    h('td', { class: 'admin-only actions' }, actionButtons(task)),
  ];
}

function actionButtons(task) {
  return [
    CANCELLABLE.has(task.status) ? h('button', { type: 'button', class: 'danger small-btn', 'data-action': 'cancel', onclick: () => act('cancelTask', task.id) }, 'Cancel') : null,
    RETRYABLE.has(task.status) ? h('button', { type: 'button', class: 'small-btn', 'data-action': 'retry', onclick: () => act('retryTask', task.id) }, 'Retry') : null,
  ];
}

function priorityEditor(task) {
  const input = h('input', { type: 'number', class: 'priority', min: -1000, max: 1000, step: 1, value: task.priority, 'aria-label': 'priority' });
  const save = async () => {
    const priority = Number(input.value);
    if (!Number.isInteger(priority) || priority === task.priority) return;
    input.disabled = true;
    try {
      const data = await gql(`mutation SetPriority($input: SetTaskPriorityInput!) { setTaskPriority(input: $input) { ${TASK_FIELDS} } }`,
        { input: { id: task.id, priority } });
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
  input.addEventListener('keydown', (event) => event.key === 'Escape' && ((input.value = task.priority), input.blur()));
  return input;
}

async function act(mutation, id) {
  try {
    const data = await gql(`mutation Act($input: TaskIdInput!) { ${mutation}(input: $input) { ${TASK_FIELDS} } }`, { input: { id } });
    upsertTask(data[mutation]);
    toast(`${mutation === 'cancelTask' ? 'Cancelled' : 'Retrying'} task ${shortId(id)}`);
  } catch (error) {
    reportError(error);
  }
}

function progress(task) {
  const of = task.totalExpected ?? task.maxDocuments;
  const done = task.documentsDownloaded;
  const share = of ? Math.min(1, done / of) : 0;
  const bar = h('div', { class: `bar-track ${ACTIVE.has(task.status) ? 'active' : task.status === 'COMPLETED' ? 'done' : ''}`, role: 'progressbar', 'aria-valuenow': done, 'aria-valuemax': of },
    h('div', { class: 'bar-fill' }));
  bar.firstChild.style.width = `${(share * 100).toFixed(1)}%`; // CSSOM: allowed by the page's CSP, unlike style=""

  const extra = task.documentsFailed || task.documentsSkipped ? ` (${task.documentsFailed} failed, ${task.documentsSkipped} skipped)` : '';
  return h('div', { class: 'progress' }, bar, h('span', { class: 'small' }, `${fmt(done)} / ${fmt(of)}${extra}`));
}

// ---------------------------------------------------------------------------------------------------
// Workers

async function loadClients() {
  const data = await gql(`query Clients { clients { ${CLIENT_FIELDS} } }`);
  state.clients.clear();
  for (const client of data.clients) state.clients.set(client.id, client);
  renderWorkerFilter();
  scheduleRender();
}

function upsertClient(client) {
  const known = state.clients.get(client.id);
  state.clients.set(client.id, { ...known, ...client });
  if (!known) renderWorkerFilter();
  scheduleRender();
}

function renderWorkerFilter() {
  const select = $('f-worker');
  const chosen = select.value;
  select.replaceChildren(h('option', { value: '' }, 'any'),
    ...[...state.clients.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => h('option', { value: c.id }, c.name)));
  select.value = chosen;
}

/** Progress a worker made, from the task counters its events carry: the basis of its docs/min. */
function countDocuments(clientId, task) {
  const before = state.taskDocs.get(task.id);
  state.taskDocs.set(task.id, task.documentsDownloaded);
  if (!clientId || before === undefined || task.documentsDownloaded <= before) return;
  const samples = state.docSamples.get(clientId) ?? [];
  samples.push({ at: Date.now(), documents: task.documentsDownloaded - before });
  state.docSamples.set(clientId, samples);
}

const openedAt = Date.now();
function docsPerMinute(clientId) {
  const now = Date.now();
  const samples = (state.docSamples.get(clientId) ?? []).filter((x) => x.at > now - DOCS_RATE_WINDOW_MS);
  state.docSamples.set(clientId, samples);
  const minutes = Math.max(1, Math.min(DOCS_RATE_WINDOW_MS, now - openedAt) / 60_000);
  return samples.reduce((sum, x) => sum + x.documents, 0) / minutes;
}

function heartbeatAge(client) {
  return Math.max(0, (Date.now() - new Date(client.lastHeartbeatAt).getTime()) / 1000);
}

function renderWorkers() {
  const clients = [...state.clients.values()].sort((a, b) => (a.status === b.status ? a.name.localeCompare(b.name) : a.status.localeCompare(b.status)));
  fill($('workers').tBodies[0], ...clients.map((c) => {
    const age = heartbeatAge(c);
    const late = age > LATE_AFTER_SECONDS;
    const current = (c.currentTasks ?? []).filter((t) => ACTIVE.has(t.status));
    return h('tr', { dataset: { id: c.id } },
      h('td', {}, h('b', {}, c.name)),
      h('td', {}, c.host ?? '—'),
      h('td', {}, h('span', { class: `badge c-${c.status.toLowerCase()}` }, c.status.toLowerCase())),
      h('td', { class: late ? 'late' : '', title: new Date(c.lastHeartbeatAt).toLocaleString() }, duration(age)),
      h('td', {}, current.length
        ? current.map((t) => h('div', {}, h('button', { type: 'button', class: 'link', onclick: () => openDetail(t.id) }, shortId(t.id)),
          ` ${fmt(t.documentsDownloaded)} / ${fmt(t.totalExpected ?? t.maxDocuments)}`))
        : h('span', { class: 'muted' }, 'idle')),
      h('td', { class: 'num' }, docsPerMinute(c.id).toFixed(1)),
      h('td', { class: 'num' }, fmt(c.tasksCompleted)),
      h('td', { class: 'num' }, fmt(c.tasksFailed)),
      h('td', { class: 'num' }, fmt(c.documentsDownloaded)),
      h('td', { class: 'muted' }, c.version ?? '—'));
  }));
  $('workers-empty').hidden = clients.length > 0;
  $('workers-count').textContent = fmt(clients.filter((c) => c.status === 'ACTIVE').length);
}

/**
 * Heartbeats are not published live (only status changes are), so before showing an ACTIVE worker as
 * late the page reads the workers once more; each worker is checked at most once per late period.
 */
let lateCheck = null;
function confirmLateWorkers() {
  const now = Date.now();
  const due = [...state.clients.values()].filter((c) => c.status === 'ACTIVE' && heartbeatAge(c) > LATE_AFTER_SECONDS &&
    now - (state.lateChecked.get(c.id) ?? 0) > LATE_AFTER_SECONDS * 1000);
  if (!due.length || lateCheck || !state.online) return;
  for (const c of due) state.lateChecked.set(c.id, now);
  lateCheck = loadClients().catch(() => {}).finally(() => (lateCheck = null));
}

// ---------------------------------------------------------------------------------------------------
// Task detail

async function openDetail(id) {
  state.detailId = id;
  state.detail = null;
  $('detail').hidden = false;
  $('d-id').textContent = shortId(id);
  $('d-id').title = id;
  fill($('d-body'), h('p', { class: 'muted' }, 'Loading…'));
  await loadDetail(id).catch(reportError);
}

$('d-close').addEventListener('click', () => {
  state.detailId = state.detail = null;
  $('detail').hidden = true;
});
document.addEventListener('keydown', (event) => event.key === 'Escape' && !$('detail').hidden && $('d-close').click());

async function loadDetail(id) {
  // three small queries: as one they would go over the gate's query cost limit
  const [{ task }, events, { documents }] = await Promise.all([
    gql(`query Task($id: ID!) { task(id: $id) {
      ${TASK_FIELDS} runAt claimedAt startedAt completedAt leaseEpoch leaseExpiresAt resultSummary parent { id } } }`, { id }),
    gql(`query TaskLog($id: ID!) { task(id: $id) { events(last: 100) { ${EVENT_FIELDS} } } }`, { id }),
    gql(`query TaskDocuments($id: ID!) { documents(taskId: $id, first: 50) {
      totalCount edges { node { id documentId fetchedAt sizeBytes } } } }`, { id }),
  ]);
  if (state.detailId !== id) return;
  state.detail = task && { ...task, events: events.task?.events ?? [], documents };
  renderDetail();
}

function renderDetail() {
  const t = state.detail;
  const body = $('d-body');
  if (!t) return fill(body, h('p', { class: 'error' }, 'No such task.'));
  const when = (v) => (v ? h('span', { title: new Date(v).toLocaleString() }, ago(v)) : h('span', { class: 'muted' }, '—'));
  const facts = [
    ['Status', statusBadge(t.status)], ['Kind', t.kind.toLowerCase()], ['Priority', String(t.priority)],
    ['Attempts', `${t.attempts} / ${t.maxAttempts}`], ['Leases', String(t.leaseEpoch)], ['Worker', t.leaseHolder?.name ?? '—'],
    ['Created', when(t.createdAt)], ['Claimed', when(t.claimedAt)], ['Started', when(t.startedAt)], ['Completed', when(t.completedAt)],
    ['Run at', when(t.runAt)], ['Lease until', when(t.leaseExpiresAt)], ['Progress', progress(t)],
    ['Parent', t.parent ? h('button', { type: 'button', class: 'link', onclick: () => openDetail(t.parent.id) }, shortId(t.parent.id)) : '—'],
  ];
  fill(body,
    h('div', { class: 'admin-only detail-actions' }, actionButtons(t)),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    t.lastError ? h('p', { class: 'last-error' }, h('span', { class: 'err-class' }, t.lastErrorClass ?? 'ERROR'), ' ', t.lastError) : null,
    h('h3', {}, 'Search'), h('pre', {}, JSON.stringify(t.searchParams, null, 2)),
    h('h3', {}, 'Result summary'), t.resultSummary == null ? h('p', { class: 'muted' }, 'none yet') : h('pre', {}, JSON.stringify(t.resultSummary, null, 2)),
    h('h3', {}, `Event log `, h('small', {}, `${t.events.length}`)),
    h('ol', { class: 'events' }, t.events.map((e) => h('li', { class: `ev ev-${e.type.toLowerCase()}` },
      h('span', { class: 'ev-type' }, e.type.toLowerCase().replaceAll('_', ' ')),
      h('span', { class: 'muted small', title: new Date(e.createdAt).toLocaleString() }, new Date(e.createdAt).toLocaleTimeString()),
      e.client?.name ? h('span', { class: 'small' }, e.client.name) : null,
      e.data && Object.keys(e.data).length ? h('code', { class: 'ev-data' }, compact(e.data)) : null))),
    h('h3', {}, 'Documents ', h('small', {}, fmt(t.documents.totalCount))),
    t.documents.edges.length
      ? h('ul', { class: 'docs' }, t.documents.edges.map(({ node: d }) => h('li', {},
        h('code', {}, d.documentId), h('span', { class: 'muted small' }, new Date(d.fetchedAt).toLocaleTimeString()),
        d.sizeBytes != null ? h('span', { class: 'muted small' }, `${fmt(Math.round(d.sizeBytes / 1024))} kB`) : null)))
      : h('p', { class: 'muted' }, 'none yet'),
    t.documents.totalCount > t.documents.edges.length ? h('p', { class: 'muted small' }, `first ${t.documents.edges.length} shown`) : null,
  );
}

// ---------------------------------------------------------------------------------------------------
// Coverage (planning): shown only when the gate's API has a `coverage` query. Its shape is read by
// introspection, so the view follows the planning API as it grows: plans to pick from (when there is a
// `plans` query), then the chosen plan's coverage, with lists of windows as tables.

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';

function unwrap(type) {
  let list = false;
  while (type.ofType) {
    if (type.kind === 'LIST') list = true;
    type = type.ofType;
  }
  return { name: type.name, kind: type.kind, list };
}

/** The type as GraphQL writes it, for a variable declaration: `[ID!]!`. */
function printType(type) {
  if (type.kind === 'NON_NULL') return `${printType(type.ofType)}!`;
  if (type.kind === 'LIST') return `[${printType(type.ofType)}]`;
  return type.name;
}

async function detectCoverage() {
  const data = await gql(`query Q { __type(name: "Query") { fields { name type { ${TYPE_REF} }
      args { name defaultValue type { ${TYPE_REF} } } } } }`);
  const fields = data.__type?.fields ?? [];
  const coverage = fields.find((f) => f.name === 'coverage');
  $('coverage-tab').hidden = !coverage;
  if (!coverage) return;
  const plans = fields.find((f) => f.name === 'plans' && f.args.every((a) => a.type.kind !== 'NON_NULL'));
  const args = coverage.args.map((a) => ({
    argName: a.name, type: printType(a.type), ...unwrap(a.type), required: a.type.kind === 'NON_NULL' && a.defaultValue == null,
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
async function selectionFor(type, depth) {
  if (type.kind !== 'OBJECT') return '';
  const data = await gql(`query T($name: String!) { __type(name: $name) { fields { name type { ${TYPE_REF} } } } }`, { name: type.name });
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

function renderCoverageView() {
  const c = state.coverage;
  const asked = c.args.filter((a) => a !== c.planArg);
  const form = h('form', { class: 'filters', onsubmit: (event) => {
    event.preventDefault();
    for (const input of form.querySelectorAll('input')) c.values[input.name] = input.value.trim();
    loadCoverage();
  } }, asked.map((a) => h('label', {}, `${a.argName}${a.required ? ' *' : ''}`,
    h('input', { name: a.argName, value: c.values[a.argName] ?? '', placeholder: a.type }))), h('button', { type: 'submit' }, 'Show'));
  fill($('coverage'),
    h('h2', {}, 'Coverage ', h('small', {}, 'per planned window: expected, downloaded, tasks by state')),
    c.plansSelection ? h('div', { id: 'plans' }) : null,
    asked.length ? form : null,
    h('div', { id: 'coverage-result' }),
  );
}

async function loadCoverage() {
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
    const what = missing.every((a) => a === c.planArg) ? (c.plans.length ? 'Pick a plan.' : 'No plans yet.') : `Enter ${missing.map((a) => a.argName).join(', ')}.`;
    return fill(result, h('p', { class: 'muted' }, what));
  }
  const given = c.args.filter((a) => c.values[a.argName]);
  const variables = Object.fromEntries(given.map((a) => [a.argName, argValue(a, c.values[a.argName])]));
  const declared = given.map((a) => `$${a.argName}: ${a.type}`).join(', ');
  const call = given.map((a) => `${a.argName}: $${a.argName}`).join(', ');
  try {
    const data = await gql(`query Coverage${declared ? `(${declared})` : ''} { coverage${call ? `(${call})` : ''}${c.selection ? ` { ${c.selection} }` : ''} }`, variables);
    // the plan itself is the picked row above
    const { plan, ...coverage } = c.planArg && data.coverage ? data.coverage : { plan: null, ...data.coverage };
    fill(result, renderValue(c.planArg ? coverage : { plan, ...coverage }));
  } catch (error) {
    fill(result, h('p', { class: 'error' }, error.message));
  }
}

function renderPlans() {
  const c = state.coverage;
  const chosen = c.values[c.planArg?.argName];
  fill($('plans'), c.plans.length
    ? renderValue(c.plans, (plan) => {
      c.values[c.planArg.argName] = plan.id;
      loadCoverage();
    }, (plan) => plan.id === chosen)
    : h('p', { class: 'muted' }, 'No plans yet.'));
}

function argValue(a, text) {
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

let coverageTimer;
function scheduleCoverage() {
  coverageTimer ??= setTimeout(() => {
    coverageTimer = undefined;
    loadCoverage();
  }, 2000);
}

/** Lists of objects as tables (rows clickable with `pick`), objects as key/value lists, the rest as text. */
function renderValue(value, pick, isPicked) {
  if (value == null) return h('span', { class: 'muted' }, '—');
  if (Array.isArray(value)) {
    if (!value.length) return h('p', { class: 'muted' }, 'none');
    if (typeof value[0] !== 'object') return value.join(', ');
    const first = ['id', 'state', 'status', 'from', 'to', 'searchParams', 'window'];
    const rank = (c) => (first.includes(c) ? first.indexOf(c) : first.length);
    const columns = [...new Set(value.flatMap((row) => Object.keys(row ?? {})))].sort((a, b) => rank(a) - rank(b));
    return h('div', { class: 'table-wrap' }, h('table', { class: `grid ${pick ? 'pickable' : ''}` },
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c)))),
      h('tbody', {}, value.map((row) => h('tr', { class: isPicked?.(row) ? 'picked' : null, onclick: pick && (() => pick(row)) },
        columns.map((c) => h('td', {}, cell(c, row?.[c]))))))));
  }
  if (typeof value === 'object') {
    const scalars = Object.entries(value).filter(([, v]) => v === null || typeof v !== 'object');
    const nested = Object.entries(value).filter(([, v]) => v !== null && typeof v === 'object');
    return h('div', {},
      h('dl', { class: 'facts' }, scalars.map(([k, v]) => [h('dt', {}, k), h('dd', {}, cell(k, v))])),
      nested.map(([k, v]) => [h('h3', {}, k), Array.isArray(v) ? renderValue(v) : h('code', {}, compact(v))]));
  }
  return String(value);
}

function cell(name, value) {
  if (value == null) return h('span', { class: 'muted' }, '—');
  if (typeof value === 'boolean') return h('span', { class: value ? 'yes' : 'no' }, value ? 'yes' : 'no');
  if (typeof value === 'object') return Array.isArray(value) ? value.join(', ') : compact(value);
  if (name === 'id' || name.endsWith('Id')) return h('code', { title: value }, shortId(String(value)));
  if (name === 'state' || name === 'status') return h('span', { class: `badge s-${String(value).toLowerCase()}` }, String(value).toLowerCase());
  return typeof value === 'number' ? fmt(value) : String(value);
}

// ---------------------------------------------------------------------------------------------------
// Views, banner, toasts, formatting

for (const tab of document.querySelectorAll('.tabs [role=tab]')) {
  tab.addEventListener('click', () => {
    state.view = tab.dataset.view;
    for (const other of document.querySelectorAll('.tabs [role=tab]')) other.setAttribute('aria-selected', String(other === tab));
    for (const view of ['tasks', 'workers', 'coverage']) $(`view-${view}`).hidden = view !== state.view;
    if (state.view === 'coverage') loadCoverage();
  });
}

function showBanner(text) {
  const banner = $('banner');
  banner.hidden = false;
  banner.textContent = text;
}

function hideBanner() {
  $('banner').hidden = true;
}

function reportError(error) {
  if (error instanceof GateDown) return setOnline(false);
  if (error instanceof AuthError) return showLogin(error.message);
  toast(error.message, true);
}

function toast(text, isError = false) {
  const el = h('div', { class: `toast ${isError ? 'toast-error' : ''}`, role: 'status' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), isError ? 6000 : 3000);
}

const number = new Intl.NumberFormat();
function fmt(n) {
  return n == null ? '–' : number.format(Math.round(n * 10) / 10);
}

function shortId(id) {
  return id.slice(0, 8);
}

function statusBadge(status) {
  return h('span', { class: `badge s-${status.toLowerCase()}`, 'data-status': status }, status.toLowerCase());
}

function paramsText(params) {
  if (!params || typeof params !== 'object') return '—';
  return Object.entries(params).map(([k, v]) => `${k}=${[v].flat().join(',')}`).join(' · ') || '—';
}

function compact(value) {
  return Object.entries(value).filter(([, v]) => v != null).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

function duration(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

function ago(iso) {
  return duration((Date.now() - new Date(iso).getTime()) / 1000);
}

// Local clock only (no requests): heartbeat ages and "… ago" texts.
setInterval(() => {
  if ($('app').hidden) return;
  renderWorkers();
  confirmLateWorkers();
}, 1000);

boot();
