// Follows: the searches the gate keeps current. A list (search, schedule, next run, the last run's result,
// gaps), and for the follow picked its calendar — a row a month, a cell a day coloured by state — its gaps
// with their reasons and its latest runs. The followRuns subscription (app.js) reloads what is shown.

import { $, fill, fmt, h, paramsText, shortId, since } from './dom.js';
import { gql } from './gate.js';
import { pausedBadge, pauseToggle } from './pauses.js';
import { state } from './state.js';

const FOLLOW_FIELDS = `id searchParams startDate schedule paused runs coveredTo lastRunAt nextRunAt
  coverage { expected downloaded missing gaps }
  runLog(last: 1) { round summary result finishedAt createdAt }`;
const DETAIL_FIELDS = `id searchParams startDate schedule paused coveredTo
  coverage { from to expected downloaded missing gaps days { date state }
    months { month expected downloaded missing }
    gapWindows { from to expected downloaded repairs reason } }
  runLog(last: 10) { round trigger summary result finishedAt createdAt }`;

const STATES = { DOWNLOADED: 'downloaded', PLANNED: 'planned', GAP: 'gap', NOT_PLANNED: 'not planned yet' };

export async function loadFollows() {
  try {
    const data = await gql(`query Follows { follows(first: 100) { ${FOLLOW_FIELDS} } }`);
    state.follows = data.follows;
    renderFollowList();
    if (state.followId) await loadFollow(state.followId);
  } catch (error) {
    fill($('follows'), h('p', { class: 'error' }, error.message));
  }
}

const pending = { reload: undefined };
/** A run happened or settled: reload soon (a burst of settling windows is one reload). */
export function scheduleFollows() {
  pending.reload ??= setTimeout(() => {
    pending.reload = undefined;
    if (state.view === 'follows') loadFollows();
  }, 500);
}

const utc = (iso) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function lastRunText(run) {
  if (!run) return h('span', { class: 'muted' }, 'not run yet');
  const r = run.result ?? {};
  const settled = r.windowsSettled
    ? `${fmt(r.newDocuments)} new · ${fmt(r.registryRequests)} requests`
    : `${fmt(run.summary.planTasks)} window(s) planned`;
  return [`#${run.round} `, since(run.createdAt), `: ${settled}${run.finishedAt ? '' : ' · running'}`];
}

function renderFollowList() {
  const list = state.follows ?? [];
  fill(
    $('follows'),
    h(
      'h2',
      {},
      'Follows ',
      h('small', {}, 'searches the gate keeps current: new days, late registrations, gap repair'),
    ),
    list.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { id: 'follow-list', class: 'grid pickable' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Follow', 'Search', 'From', 'Schedule', 'Runs', 'Next run', 'Last run', 'Have / expected', 'Gaps'].map(
                  (title) => h('th', {}, title),
                ),
                h('th', { class: 'admin-only' }, 'Pause'),
              ),
            ),
            h(
              'tbody',
              {},
              list.map((f) =>
                h(
                  'tr',
                  {
                    dataset: { id: f.id },
                    class: f.id === state.followId ? 'picked' : null,
                    onclick: () => {
                      state.followId = f.id;
                      renderFollowList();
                      loadFollow(f.id);
                    },
                  },
                  h('td', {}, h('code', { title: f.id }, shortId(f.id))),
                  h('td', {}, paramsText(f.searchParams)),
                  h('td', {}, f.startDate),
                  h('td', {}, f.schedule),
                  h('td', { class: 'runs' }, fmt(f.runs)),
                  h('td', { class: 'next' }, f.paused ? pausedBadge() : utc(f.nextRunAt)),
                  h('td', { class: 'last' }, lastRunText(f.runLog[0])),
                  h('td', {}, `${fmt(f.coverage.downloaded)} / ${fmt(f.coverage.expected)}`),
                  h('td', { class: f.coverage.gaps ? 'gaps has-gaps' : 'gaps' }, fmt(f.coverage.gaps)),
                  h('td', { class: 'admin-only' }, pauseToggle('Follow', f.id, f.paused, loadFollows)),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No follows yet (reyestr follow create --help).'),
    h('div', { id: 'follow-detail' }),
  );
}

export async function loadFollow(id) {
  try {
    const { follow } = await gql(`query Follow($id: ID!) { follow(id: $id) { ${DETAIL_FIELDS} } }`, { id });
    if (state.followId === id) renderFollow(follow);
  } catch (error) {
    fill($('follow-detail'), h('p', { class: 'error' }, error.message));
  }
}

/** A row a month: 31 day cells (title: the date and its state), then the month's figures. */
function calendar(coverage) {
  const byMonth = new Map();
  for (const day of coverage.days) {
    const month = day.date.slice(0, 7);
    if (!byMonth.has(month)) byMonth.set(month, []);
    byMonth.get(month).push(day);
  }
  return h(
    'table',
    { id: 'follow-calendar', class: 'calendar' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Month'),
        h('th', { class: 'days' }, 'Days 1 … 31'),
        ['Expected', 'Have', 'Missing'].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      coverage.months.map((m) => {
        const cells = Array.from({ length: 31 }, () => h('i', { class: 'day none' }));
        for (const day of byMonth.get(m.month) ?? [])
          cells[Number(day.date.slice(8, 10)) - 1] = h('i', {
            class: `day d-${day.state.toLowerCase()}`,
            title: `${day.date}: ${STATES[day.state] ?? day.state}`,
            dataset: { date: day.date, state: day.state },
          });
        return h(
          'tr',
          { dataset: { month: m.month } },
          h('th', {}, m.month),
          h('td', { class: 'days' }, cells),
          h('td', {}, fmt(m.expected)),
          h('td', {}, fmt(m.downloaded)),
          h('td', { class: m.missing ? 'has-gaps' : null }, fmt(m.missing)),
        );
      }),
    ),
  );
}

function renderFollow(f) {
  const c = f.coverage;
  fill(
    $('follow-detail'),
    h('h3', {}, 'Follow ', h('code', {}, shortId(f.id)), ' ', h('small', {}, paramsText(f.searchParams))),
    h(
      'p',
      { class: 'muted' },
      `${c.from} … ${c.to}: expected ${fmt(c.expected)}, have ${fmt(c.downloaded)}, missing ${fmt(c.missing)}, ${fmt(c.gaps)} gap(s)`,
    ),
    h(
      'p',
      { class: 'legend' },
      Object.entries(STATES).map(([s, label]) => [h('i', { class: `day d-${s.toLowerCase()}` }), ` ${label} `]),
    ),
    calendar(c),
    c.gapWindows.length
      ? [
          h('h3', {}, 'Gaps'),
          h(
            'ul',
            { id: 'follow-gaps', class: 'gaps' },
            c.gapWindows.map((g) =>
              h(
                'li',
                {},
                h('b', {}, g.from === g.to ? g.from : `${g.from} … ${g.to}`),
                ` ${fmt(g.downloaded)} of ${fmt(g.expected)} after ${g.repairs} repair(s): `,
                g.reason ?? '',
              ),
            ),
          ),
        ]
      : null,
    h('h3', {}, 'Runs'),
    h(
      'table',
      { id: 'follow-runs', class: 'grid' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'Run',
            'Started',
            'Trigger',
            'New windows',
            'Re-counted',
            'Repaired',
            'New decisions',
            'Requests',
            'Gaps',
            '',
          ].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        f.runLog.map((r) =>
          h(
            'tr',
            { dataset: { round: r.round } },
            h('td', {}, `#${r.round}`),
            h('td', {}, since(r.createdAt)),
            h('td', {}, r.trigger.toLowerCase()),
            h('td', {}, fmt(r.summary.windowsNew)),
            h('td', {}, fmt(r.summary.windowsRecounted)),
            h('td', {}, fmt(r.summary.windowsRepaired)),
            h('td', {}, fmt(r.result.newDocuments ?? 0)),
            h('td', {}, fmt(r.result.registryRequests ?? 0)),
            h('td', {}, fmt(r.result.gaps ?? 0)),
            h('td', {}, r.finishedAt ? 'done' : 'running'),
          ),
        ),
      ),
    ),
  );
}
