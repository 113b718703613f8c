/**
 * Planning a whole registry search into tasks, as pure functions (no I/O): the operator's CLI (dry run),
 * the gate (creating and validating plans) and the worker (deciding a window) all call these, so they
 * agree on windows, children and dedup keys.
 *
 * A plan covers an adopted-on date range. It starts as one PLAN task per window (day/week/month/year, or
 * the whole range). A worker searches a window sorted by date and reads its total; then `decideWindow`:
 *   - total over the limit (the registry's 100,000 cap, or a page budget) and longer than a day → two
 *     PLAN children, the halves of the window;
 *   - a single day over the limit → one PLAN child per value of the next split field (e.g. VRType);
 *   - nothing left to split by → a GAP (recorded, never silently truncated);
 *   - otherwise → DOWNLOAD children covering pages 1..n in non-overlapping chunks of `chunkSize` documents.
 * Every child has a dedup key over its normalised params (window and split values included) and page range,
 * so planning the same window twice creates nothing new. What an operator asks for is checked and normalised
 * into a PlanRequest by plan-request.ts.
 */
import { createHash } from 'node:crypto';
import {
  RESULT_CAP,
  catalogueValues,
  caseCategories,
  courtRegions,
  decisionForms,
  instances,
  proceedingForms,
  type Catalogue,
} from './catalogues.ts';
import { formatRegistryDate, parseRegistryDate } from './registry-dates.ts';
import { itemsPerPageOf, validateSearchParams, type SearchParams } from './search-fields.ts';
import { MAX_DOCUMENTS_PER_TASK } from './task-limits.ts';

export const WINDOW_UNITS = ['day', 'week', 'month', 'year'] as const;
export type WindowUnit = (typeof WINDOW_UNITS)[number];

/** Fields a day may be split by: single-valued per decision, with a complete catalogue of values. */
export const SPLIT_FIELD_CATALOGUES: Record<string, Catalogue> = {
  VRType: decisionForms,
  CSType: proceedingForms,
  INSType: instances,
  CourtRegion: courtRegions,
  CaseCat1: caseCategories,
};
export const DEFAULT_SPLIT_FIELDS = ['VRType', 'CSType'];
export const DEFAULT_CHUNK_SIZE = 100;
/** A chunk becomes one download task, so it is bounded like one. */
export const MAX_CHUNK_SIZE = MAX_DOCUMENTS_PER_TASK;
/** Sort by adoption date, oldest first: a window's pages are ordered by date, not by relevance. */
export const SORT_BY_DATE = '2';
export interface PlanOptions {
  /** documents per DOWNLOAD task; a multiple of the rows per page */
  chunkSize: number;
  /** at most this many result pages per window (null: only the registry's cap) */
  pageBudget: number | null;
  /** fields a day over the limit is split by, in order */
  splitFields: string[];
  /**
   * A follow's run (server/services/follows.ts): its tasks get keys of their own, so a window planned by an
   * earlier run is searched and planned again instead of being found planned. Absent for ordinary plans.
   */
  round?: string;
  /**
   * A follow's re-count: the documents the gate already has for this window. A total not above it plans
   * nothing (one search request, no downloads). Only the window itself carries it; its children do not.
   */
  known?: number;
}

/**
 * A PLAN task's options as stored (jsonb) read back, or null when the value holds none (not a PLAN task).
 * The gate and the worker each turn null into their own error.
 */
export function planOptionsOf(value: unknown): PlanOptions | null {
  const o = value as Partial<PlanOptions> | null | undefined;
  if (!o || typeof o.chunkSize !== 'number' || !Array.isArray(o.splitFields)) return null;
  return {
    chunkSize: o.chunkSize,
    pageBudget: o.pageBudget ?? null,
    splitFields: o.splitFields,
    ...(typeof o.round === 'string' ? { round: o.round } : {}),
    ...(typeof o.known === 'number' ? { known: o.known } : {}),
  };
}

/** The options a window's children are planned with: the same round, no re-count bound. */
export function childOptionsOf(options: PlanOptions): PlanOptions {
  const { known: _known, ...rest } = options;
  return rest;
}

const roundSuffix = (round: string | undefined) => (round === undefined ? '' : `|round ${round}`);

/** An inclusive adopted-on range, ISO dates. */
export interface DateWindow {
  from: string;
  to: string;
}

export interface PlanRequest {
  /** registry form fields without RegDateBegin/RegDateEnd */
  searchParams: SearchParams;
  from: string;
  to: string;
  window: WindowUnit | null;
  options: PlanOptions;
}

export interface PlannedTask {
  kind: 'PLAN' | 'DOWNLOAD';
  searchParams: SearchParams;
  startPage: number;
  maxDocuments: number;
  dedupKey: string;
  /** PLAN tasks only */
  planOptions: PlanOptions | null;
}

export type PlanOutcome = 'SPLIT_WINDOW' | 'SPLIT_FIELD' | 'CHUNKS' | 'GAP';

export interface WindowDecision {
  outcome: PlanOutcome;
  total: number;
  perPage: number;
  /** the most documents one window may have (cap or page budget) */
  limit: number;
  /** SPLIT_FIELD: the field split by */
  splitField: string | null;
  children: PlannedTask[];
  /** CHUNKS: documents the children will download (= total); GAP: 0 */
  planned: number;
}

/** A request the plan rules refuse; `field` names the input at fault. */
export class InvalidPlanError extends Error {
  override readonly name = 'InvalidPlanError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

// ---- dates -------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** An ISO date moved by whole days. */
export const addIsoDays = (iso: string, days: number) => isoOf(dayNumber(iso) + days);

export const daysIn = (w: DateWindow) => dayNumber(w.to) - dayNumber(w.from) + 1;

/** The last day of the calendar unit that contains `day`. */
function unitEnd(day: number, unit: WindowUnit): number {
  const date = new Date(day * DAY_MS);
  switch (unit) {
    case 'day':
      return day;
    case 'week':
      return day + ((7 - date.getUTCDay()) % 7); // weeks run Monday..Sunday
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0) / DAY_MS;
    case 'year':
      return Date.UTC(date.getUTCFullYear(), 11, 31) / DAY_MS;
  }
}

/** Calendar-aligned windows covering from..to exactly (the first and last may be partial). */
export function windowsOf(from: string, to: string, unit: WindowUnit | null): DateWindow[] {
  if (unit === null) return [{ from, to }];
  const last = dayNumber(to);
  const windows: DateWindow[] = [];
  for (let day = dayNumber(from); day <= last; ) {
    const end = Math.min(last, unitEnd(day, unit));
    windows.push({ from: isoOf(day), to: isoOf(end) });
    day = end + 1;
  }
  return windows;
}

/** Two halves of a window longer than a day (the first gets the extra day). */
export function halves(w: DateWindow): [DateWindow, DateWindow] {
  const middle = dayNumber(w.from) + Math.ceil(daysIn(w) / 2) - 1;
  return [
    { from: w.from, to: isoOf(middle) },
    { from: isoOf(middle + 1), to: w.to },
  ];
}

/** The date window of a task's params. */
export function windowOfParams(params: SearchParams): DateWindow {
  const from = parseRegistryDate(params.RegDateBegin as string | undefined);
  const to = parseRegistryDate(params.RegDateEnd as string | undefined);
  if (!from || !to) throw new InvalidPlanError('searchParams', 'a plan task needs RegDateBegin and RegDateEnd');
  return { from, to };
}

// ---- keys and tasks ---------------------------------------------------------------------------------

/** Params in a stable form: form order (as validated), list values sorted. */
function canonical(params: SearchParams): string {
  return JSON.stringify(
    Object.entries(params).map(([name, value]) => [name, Array.isArray(value) ? [...value].sort() : value]),
  );
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const planTaskKey = (params: SearchParams, options: PlanOptions) =>
  `plan:${sha256(`${canonical(params)}|${options.chunkSize}|${options.pageBudget ?? ''}|${options.splitFields.join(',')}${roundSuffix(options.round)}`)}`;

export const downloadTaskKey = (params: SearchParams, firstPage: number, lastPage: number, round?: string) =>
  `download:${sha256(`${canonical(params)}|pages ${firstPage}-${lastPage}${roundSuffix(round)}`)}`;

/** The same request is the same plan. */
export const planKey = (request: PlanRequest) =>
  `plan-request:${sha256(`${canonical(request.searchParams)}|${request.from}|${request.to}|${request.window ?? ''}|${JSON.stringify(request.options)}`)}`;

/** A window's search: the plan's params, the window's dates, sorted by date. */
export function windowParams(params: SearchParams, w: DateWindow): SearchParams {
  return validateSearchParams({
    ...params,
    RegDateBegin: formatRegistryDate(w.from),
    RegDateEnd: formatRegistryDate(w.to),
    Sort: SORT_BY_DATE,
  });
}

function planTask(params: SearchParams, options: PlanOptions): PlannedTask {
  return {
    kind: 'PLAN',
    searchParams: params,
    startPage: 1,
    maxDocuments: options.chunkSize,
    dedupKey: planTaskKey(params, options),
    planOptions: options,
  };
}

/** The PLAN tasks a new plan starts with: one per window. */
export function rootTasks(request: PlanRequest): Array<PlannedTask & { window: DateWindow }> {
  return windowsOf(request.from, request.to, request.window).map((w) => ({
    ...planTask(windowParams(request.searchParams, w), request.options),
    window: w,
  }));
}

// ---- the decision -----------------------------------------------------------------------------------

/** The most documents one window may have before it is split. */
export function windowLimit(perPage: number, options: PlanOptions): number {
  return options.pageBudget === null ? RESULT_CAP : Math.min(RESULT_CAP, options.pageBudget * perPage);
}

/** The next field a day can be split by, with the values to split into; null when none is left. */
function nextSplit(params: SearchParams, fields: string[]): { field: string; values: string[] } | null {
  for (const field of fields) {
    const current = params[field];
    if (Array.isArray(current) && current.length === 1) continue; // already one value: split by it before
    const values = Array.isArray(current) ? current : catalogueValues(SPLIT_FIELD_CATALOGUES[field]);
    if (values.length > 1) return { field, values };
  }
  return null;
}

/**
 * What a PLAN task becomes, given its window's total: halves, a field split, download chunks or a gap.
 * Deterministic: the gate recomputes it to validate what a worker reports.
 */
export function decideWindow(input: {
  searchParams: SearchParams;
  total: number;
  options: PlanOptions;
}): WindowDecision {
  const { searchParams: params, total, options } = input;
  const perPage = itemsPerPageOf(params);
  const limit = windowLimit(perPage, options);
  const base = { total, perPage, limit, splitField: null, planned: 0 };
  // A follow's re-count that finds nothing new: the search was the whole cost.
  if (options.known !== undefined && total <= options.known && total <= limit)
    return { ...base, outcome: 'CHUNKS', children: [] };
  const childOptions = childOptionsOf(options);
  if (total > limit) {
    const w = windowOfParams(params);
    if (daysIn(w) > 1) {
      const children = halves(w).map((half) => planTask(windowParams(params, half), childOptions));
      return { ...base, outcome: 'SPLIT_WINDOW', children };
    }
    const split = nextSplit(params, options.splitFields);
    if (!split) return { ...base, outcome: 'GAP', children: [] };
    const children = split.values.map((value) =>
      planTask(validateSearchParams({ ...params, [split.field]: [value] }), childOptions),
    );
    return { ...base, outcome: 'SPLIT_FIELD', splitField: split.field, children };
  }
  const children: PlannedTask[] = [];
  for (let offset = 0; offset < total; offset += options.chunkSize) {
    const startPage = 1 + offset / perPage;
    const maxDocuments = Math.min(options.chunkSize, total - offset);
    const lastPage = startPage + Math.ceil(maxDocuments / perPage) - 1;
    children.push({
      kind: 'DOWNLOAD',
      searchParams: params,
      startPage,
      maxDocuments,
      dedupKey: downloadTaskKey(params, startPage, lastPage, options.round),
      planOptions: null,
    });
  }
  return { ...base, outcome: 'CHUNKS', children, planned: total };
}

/** The pages a DOWNLOAD task reads. */
export function pageRange(task: { startPage: number; maxDocuments: number }, perPage: number): [number, number] {
  return [task.startPage, task.startPage + Math.ceil(task.maxDocuments / perPage) - 1];
}
