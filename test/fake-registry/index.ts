/**
 * A fake reyestr.court.gov.ua on loopback, faithful to the site as observed: form at `/`, search via
 * POST `/`, session-cookie-bound `/Page/<n>`, `/Review/<id>`; plus switchable faults (latency,
 * 429/503 with Retry-After, 5xx, the real error page, a shown captcha, dropped connections) and
 * damaged pages (a results page cut off mid-table, a row without its link, a huge decision, windows-1251).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  SEARCH_FIELDS,
  decodeSearchForm,
  type MultiSelectNaming,
  type SearchParams,
} from '../../client/rules/search-fields.ts';
import { RESULT_CAP } from '../../client/rules/index.ts';
import { GeneratedSearch, type DayCount, type TotalFor } from './data.ts';
import { dropReviewLink, inflateDecision, inWindows1251, truncateResults } from './damage.ts';
import { decisionPage, emptyResultsPage, errorPage, formPage, resultsPage, showCaptcha } from './pages.ts';

export type Route = 'form' | 'search' | 'page' | 'review' | 'other';

export type FaultKind =
  | 'rate-limit'
  | 'server-error'
  | 'drop'
  | 'error-page'
  | 'captcha'
  /** a results page cut off inside row `row` (default 2): a 200 with a body that simply ends */
  | 'truncate'
  /** row `row` (default 1) of a results page without its /Review/<id> link */
  | 'unreadable-row'
  /** a decision page of `sizeBytes` */
  | 'huge-page'
  /** the page in windows-1251, declared as `declare` says */
  | 'windows-1251'
  /** a results page of a search that lost `shrinkBy` results since it was submitted (each page whole by its own paging) */
  | 'shrink';

export interface FaultRule {
  kind: FaultKind;
  /** Which requests it hits; default: every route. */
  routes?: Route[];
  /** How many matching requests it hits before it is spent; default: all of them. */
  times?: number;
  /** Skip this many matching requests first (e.g. fail the 3rd decision). */
  after?: number;
  /** rate-limit: HTTP status (429 or 503) and Retry-After seconds; server-error: status (default 500). */
  status?: number;
  retryAfterSeconds?: number;
  /** truncate, unreadable-row: which row of the results page */
  row?: number;
  /** huge-page: the decision page's size */
  sizeBytes?: number;
  /** windows-1251: where the page says so (default the Content-Type header) */
  declare?: 'header' | 'meta' | 'none';
  /** shrink: results the search lost */
  shrinkBy?: number;
}

export interface Faults {
  /** Added before every answer. */
  latencyMs?: number;
  rules?: FaultRule[];
}

export interface FakeRegistryOptions {
  port?: number;
  /** Overrides the generated total of a search (rows are then spread evenly over its date window). */
  totalFor?: TotalFor;
  /** Decisions per day (wins over totalFor); change it with setDayCount to grow the registry between runs. */
  dayCount?: DayCount;
  /** Multi-select naming the fake accepts in a search POST; the other naming gets the error page. Default both. */
  acceptMultiSelectNaming?: MultiSelectNaming | 'both';
  faults?: Faults;
}

export interface LoggedRequest {
  method: string;
  path: string;
  route: Route;
  status: number;
  /** The fault that answered it, if any. */
  fault?: FaultKind;
  session?: string;
  /** when it arrived (before any latency fault or the answer's own work) */
  receivedAt: number;
  /** when it was answered */
  at: number;
}

export interface FakeRegistry {
  url: string;
  close(): Promise<void>;
  setFaults(faults: Faults): void;
  /** The registry grows (or shrinks): searches from now on count decisions per day with this. */
  setDayCount(dayCount: DayCount): void;
  /** A decision removed from the registry: still listed in results, its page answers 404. */
  removeDecision(documentId: string): void;
  requestLog: LoggedRequest[];
  /** Requests per route since start (or the last resetLog). */
  counters: Record<Route, number>;
  resetLog(): void;
  /** The last search a session submitted (by its session cookie), for assertions. */
  searches: Map<string, SearchParams>;
}

const SESSION_COOKIE = 'ASP.NET_SessionId';

function routeOf(method: string, path: string): Route {
  if (path === '/' || path === '') return method === 'POST' ? 'search' : 'form';
  if (/^\/Page\/\d+$/i.test(path)) return 'page';
  if (/^\/Review\/\d+$/i.test(path)) return 'review';
  return 'other';
}

function sessionOf(request: IncomingMessage): string | undefined {
  const match = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE.replace('.', '\\.')}=([^;]+)`).exec(
    request.headers.cookie ?? '',
  );
  return match?.[1];
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const MULTI_SELECTS = new Set(SEARCH_FIELDS.filter((field) => field.kind === 'multi').map((field) => field.name));

/** Whether any multi-select value in the body is named the given way. */
function usesNaming(body: URLSearchParams, naming: MultiSelectNaming): boolean {
  return [...body.keys()].some(
    (key) => MULTI_SELECTS.has(key.replace(/\[\]$/, '')) && key.endsWith('[]') === (naming === 'brackets'),
  );
}

/** A page as a content fault leaves it (faults that answer without a page are handled before). */
function damaged(fault: FaultRule, html: string): string {
  switch (fault.kind) {
    case 'captcha':
      return showCaptcha(html);
    case 'truncate':
      return truncateResults(html, fault.row);
    case 'unreadable-row':
      return dropReviewLink(html, fault.row);
    case 'huge-page':
      return inflateDecision(html, fault.sizeBytes ?? 8 * 1024 * 1024);
    default:
      return html;
  }
}

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  let faults: Faults = options.faults ?? {};
  const hits = new Map<FaultRule, number>();
  const searches = new Map<string, SearchParams>();
  const generated = new Map<string, GeneratedSearch>();
  const accept = options.acceptMultiSelectNaming ?? 'both';

  const registry: FakeRegistry = {
    url: '',
    requestLog: [],
    counters: { form: 0, search: 0, page: 0, review: 0, other: 0 },
    searches,
    setDayCount(next) {
      dayCount = next;
      generated.clear();
    },
    removeDecision(documentId) {
      removed.add(documentId);
    },
    setFaults(next) {
      faults = next;
      hits.clear();
    },
    resetLog() {
      registry.requestLog.length = 0;
      for (const route of Object.keys(registry.counters) as Route[]) registry.counters[route] = 0;
    },
    close: async () => {},
  };

  function activeFault(route: Route): FaultRule | undefined {
    for (const rule of faults.rules ?? []) {
      if (rule.routes && !rule.routes.includes(route)) continue;
      const seen = (hits.get(rule) ?? 0) + 1;
      hits.set(rule, seen);
      const after = rule.after ?? 0;
      if (seen > after && seen <= after + (rule.times ?? Infinity)) return rule;
    }
    return undefined;
  }

  let dayCount = options.dayCount;
  const removed = new Set<string>();

  function searchOf(params: SearchParams): GeneratedSearch {
    const key = JSON.stringify(params);
    let search = generated.get(key);
    if (!search) {
      search = new GeneratedSearch(params, options.totalFor, dayCount);
      if (generated.size > 1000) generated.clear();
      generated.set(key, search);
    }
    return search;
  }

  /** `lost`: results the search has lost since (the last ones go: the page and the totals say so consistently). */
  function renderResults(params: SearchParams, page: number, lost = 0): string {
    const search = searchOf(params);
    const total = Math.max(0, search.total - lost);
    const rows = search.rowsOfPage(page).slice(0, Math.max(0, total - (page - 1) * search.perPage));
    if (rows.length === 0) return emptyResultsPage(params);
    return resultsPage({
      params,
      total,
      perPage: search.perPage,
      currentPage: page,
      pageCount: Math.ceil(Math.min(total, RESULT_CAP) / search.perPage),
      rows,
    });
  }

  async function answer(
    request: IncomingMessage,
    response: ServerResponse,
    route: Route,
    path: string,
    session: string,
  ): Promise<{ status: number; html: string | null; fault?: FaultKind; body?: Buffer; contentType?: string }> {
    const fault = activeFault(route);
    if (fault?.kind === 'drop') return { status: 0, html: null, fault: 'drop' };
    if (fault?.kind === 'rate-limit') {
      response.setHeader('Retry-After', String(fault.retryAfterSeconds ?? 1));
      return { status: fault.status ?? 429, html: '<html><body>Too Many Requests</body></html>', fault: fault.kind };
    }
    if (fault?.kind === 'server-error')
      return { status: fault.status ?? 500, html: '<html><body>Server Error</body></html>', fault: fault.kind };
    if (fault?.kind === 'error-page') return { status: 200, html: errorPage(), fault: fault.kind };

    let html: string;
    if (route === 'form') html = formPage();
    else if (route === 'search') {
      const body = new URLSearchParams(await readBody(request));
      if (accept !== 'both' && usesNaming(body, accept === 'plain' ? 'brackets' : 'plain'))
        return { status: 200, html: errorPage() };
      const params = decodeSearchForm(body);
      searches.set(session, params);
      html = renderResults(params, 1);
    } else if (route === 'page') {
      const params = searches.get(session);
      const lost = fault?.kind === 'shrink' ? (fault.shrinkBy ?? 1) : 0;
      html = params ? renderResults(params, Number(path.split('/')[2]), lost) : emptyResultsPage();
    } else if (route === 'review') {
      const id = path.split('/')[2];
      if (removed.has(id)) return { status: 404, html: '<html><body>Not Found</body></html>' };
      html = decisionPage(id);
    } else return { status: 404, html: '<html><body>Not Found</body></html>' };
    if (fault?.kind === 'windows-1251') {
      const { body, contentType } = inWindows1251(html, fault.declare ?? 'header');
      return { status: 200, html, body, contentType, fault: fault.kind };
    }
    return { status: 200, html: fault ? damaged(fault, html) : html, fault: fault?.kind };
  }

  const server = createServer(async (request, response) => {
    const receivedAt = Date.now();
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const method = request.method ?? 'GET';
    const route = routeOf(method, path);
    let session = sessionOf(request);
    if (!session) {
      session = randomUUID();
      response.setHeader('Set-Cookie', `${SESSION_COOKIE}=${session}; path=/; HttpOnly`);
    }
    registry.counters[route]++;
    try {
      if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      const result = await answer(request, response, route, path, session);
      registry.requestLog.push({
        method,
        path,
        route,
        status: result.status,
        fault: result.fault,
        session,
        receivedAt,
        at: Date.now(),
      });
      if (result.html === null) {
        request.socket.destroy();
        return;
      }
      response.writeHead(result.status, { 'Content-Type': result.contentType ?? 'text/html; charset=utf-8' });
      response.end(result.body ?? result.html);
    } catch (error) {
      response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end(String(error));
    }
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  registry.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  registry.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return registry;
}
