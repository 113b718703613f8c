/**
 * Deterministic data of the fake registry. A search's total is the sum of per-day counts over its
 * decision-date window, so splitting a window (month → days) gives totals that add up, and every
 * row's document id encodes its decision date: the same decision has the same id in every search
 * whose window contains it, and `/Review/<id>` can be rendered from the id alone.
 */
import { createHash } from 'node:crypto';
import {
  RESULT_CAP,
  catalogueLabel,
  catalogueValues,
  courtRegions,
  decisionForms,
  instances,
  proceedingForms,
  type Catalogue,
} from '../../client/rules/catalogues.ts';
import { formatRegistryDate, parseRegistryDate } from '../../client/rules/registry-dates.ts';
import { SEARCH_FIELDS, itemsPerPageOf, type SearchParams } from '../../client/rules/search-fields.ts';

/** The fake's archive spans these decision dates (the real registry starts in 2006, with older stragglers). */
export const ARCHIVE_START = '2006-01-01';
export const ARCHIVE_END = '2025-12-31';
/** ~131M decisions over 20 years, as on the real site. */
const DECISIONS_PER_DAY = 18_000;
/** Generated ids: FIRST_ID + dayIndex * ID_STRIDE + index within the day (a day shows < 100k rows). */
const FIRST_ID = 100_000_000;
const ID_STRIDE = 200_000;
const DAY_MS = 86_400_000;

export type TotalFor = (params: SearchParams) => number;
/** Decisions on one day (ISO) for a search: lets a test grow the registry day by day (new days, late registrations). */
export type DayCount = (day: string, params: SearchParams) => number;

export function hash32(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0);
}

/** A stable pseudo-random number in [0, 1) for a key. */
const unit = (key: string) => hash32(key) / 2 ** 32;

const dayIndexOf = (iso: string) =>
  Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.parse(`${ARCHIVE_START}T00:00:00Z`)) / DAY_MS);
const isoOfDay = (dayIndex: number) =>
  new Date(Date.parse(`${ARCHIVE_START}T00:00:00Z`) + dayIndex * DAY_MS).toISOString().slice(0, 10);
const LAST_DAY = dayIndexOf(ARCHIVE_END);

/** The decision-date window of a search, as day indexes clamped to the archive. */
export function dayWindow(params: SearchParams): [number, number] {
  const begin = parseRegistryDate(params.RegDateBegin as string | undefined);
  const end = parseRegistryDate(params.RegDateEnd as string | undefined);
  return [Math.max(0, begin ? dayIndexOf(begin) : 0), Math.min(LAST_DAY, end ? dayIndexOf(end) : LAST_DAY)];
}

/** Params that select decisions, minus the date window and presentation fields. */
function filterKey(params: SearchParams): string {
  const ignored = new Set(['RegDateBegin', 'RegDateEnd', 'Sort', 'PagingInfo.ItemsPerPage', 'Liga', 'ProviderItem']);
  return JSON.stringify(
    SEARCH_FIELDS.filter((field) => !ignored.has(field.name) && params[field.name] !== undefined).map((field) => [
      field.name,
      params[field.name],
    ]),
  );
}

/** Fraction of the archive a set of filters selects: list filters by share of options, text filters rarely match. */
function selectivity(params: SearchParams): number {
  let share = 1;
  const listShare = (name: string, optionCount: number) => {
    const values = params[name];
    if (Array.isArray(values)) share *= Math.min(1, values.length / optionCount);
  };
  listShare('CourtRegion', courtRegions.length);
  listShare('INSType', instances.length);
  listShare('VRType', decisionForms.length);
  listShare('CSType', proceedingForms.length);
  listShare('CourtName', 40);
  for (let level = 1; level <= 6; level++) listShare(`CaseCat${level}`, 10);
  listShare('SideStatus', 3);
  if (params.SearchExpression) share *= 0.01;
  if (params.ChairmenName) share *= 0.0005;
  if (params.UserCourtCode) share *= 0.005;
  if (params.CaseNumber || params.RegNumber) share *= 2e-8;
  return share;
}

/** Decisions a filter set has on one day: random around the mean, rounded stochastically so rare filters still match sometimes. */
function generatedDailyCount(key: string, share: number, dayIndex: number): number {
  const mean = DECISIONS_PER_DAY * share * (0.5 + unit(`${key}|${dayIndex}|size`));
  return Math.floor(mean + unit(`${key}|${dayIndex}|round`));
}

/** Per-day counts over a search's window; a custom `totalFor` total is spread evenly over the window's days. */
export function dailyCounts(
  params: SearchParams,
  totalFor?: TotalFor,
  dayCount?: DayCount,
): { firstDay: number; counts: number[] } {
  const [firstDay, lastDay] = dayWindow(params);
  const days = Math.max(0, lastDay - firstDay + 1);
  if (dayCount) {
    return {
      firstDay,
      counts: Array.from({ length: days }, (_, i) => Math.max(0, Math.floor(dayCount(isoOfDay(firstDay + i), params)))),
    };
  }
  if (totalFor) {
    const total = Math.max(0, Math.floor(totalFor(params)));
    const base = days === 0 ? 0 : Math.floor(total / days);
    return { firstDay, counts: Array.from({ length: days }, (_, i) => base + (i < total - base * days ? 1 : 0)) };
  }
  const key = filterKey(params);
  const share = selectivity(params);
  return { firstDay, counts: Array.from({ length: days }, (_, i) => generatedDailyCount(key, share, firstDay + i)) };
}

export interface GeneratedRow {
  documentId: string;
  decisionForm: string;
  adoptedOn: string;
  inForceOn: string;
  proceedingForm: string;
  caseNumber: string;
  courtName: string;
  courtCode: string;
  judge: string;
}

const judges = [
  'Усатов Д. Д.',
  'Манацюк П.К.',
  'Подопригора Н. А.',
  'Поліщук Н. О.',
  'Сливка В. В.',
  'Тридуб С.М.',
  'Вишняк В. І.',
  'Бабоїд О. М.',
];

const pick = <T>(options: readonly T[], key: string): T => options[hash32(key) % options.length];

/** The values of a list filter, or every option of its catalogue when the filter is not set. */
const allowed = (params: SearchParams, name: string, catalogue: Catalogue) =>
  Array.isArray(params[name]) ? (params[name] as string[]) : catalogueValues(catalogue);

export function documentIdFor(dayIndex: number, indexInDay: number): string {
  return String(FIRST_ID + dayIndex * ID_STRIDE + indexInDay);
}

/** The decision date encoded in a generated id (ids below the generated range map into the archive too). */
export function adoptedOnOf(documentId: string): string {
  const offset = Math.max(0, Number(documentId) - FIRST_ID);
  return isoOfDay(Math.min(LAST_DAY, Math.floor(offset / ID_STRIDE)));
}

/** Fields of a decision that depend only on its id (shared by rows and `/Review/<id>`). */
export function decisionBasics(documentId: string) {
  const adoptedOn = adoptedOnOf(documentId);
  const year = adoptedOn.slice(0, 4);
  const inForce = new Date(Date.parse(`${adoptedOn}T00:00:00Z`) + 10 * DAY_MS).toISOString().slice(0, 10);
  return {
    adoptedOn: formatRegistryDate(adoptedOn),
    inForceOn: hash32(`${documentId}|lawdate`) % 4 === 0 ? '' : formatRegistryDate(inForce),
    caseNumber: `${100 + (hash32(`${documentId}|court`) % 900)}/${hash32(`${documentId}|case`) % 10000}/${year.slice(2)}`,
    judge: pick(judges, `${documentId}|judge`),
  };
}

export function generateRow(params: SearchParams, documentId: string): GeneratedRow {
  const region = pick(allowed(params, 'CourtRegion', courtRegions), `${documentId}|region`);
  const instance = pick(allowed(params, 'INSType', instances), `${documentId}|instance`);
  const courtNumber = hash32(`${documentId}|court`) % 5;
  const courtKind = instance === '1' ? 'районний суд' : instance === '2' ? 'апеляційний суд' : 'касаційний суд';
  return {
    documentId,
    decisionForm: catalogueLabel(decisionForms, pick(allowed(params, 'VRType', decisionForms), `${documentId}|form`))!,
    proceedingForm: catalogueLabel(
      proceedingForms,
      pick(allowed(params, 'CSType', proceedingForms), `${documentId}|cstype`),
    )!,
    courtName: `${courtKind} № ${courtNumber + 1} (${catalogueLabel(courtRegions, region) ?? region})`,
    courtCode: String(Number(region) * 100 + courtNumber),
    ...decisionBasics(documentId),
  };
}

export interface SearchResult {
  total: number;
  perPage: number;
  pageCount: number;
}

/** One search of the fake registry: its total and any page of its rows, computed on demand. */
export class GeneratedSearch implements SearchResult {
  readonly total: number;
  readonly perPage: number;
  readonly pageCount: number;
  private readonly firstDay: number;
  private readonly cumulative: number[];
  private readonly descending: boolean;

  constructor(
    readonly params: SearchParams,
    totalFor?: TotalFor,
    dayCount?: DayCount,
  ) {
    const { firstDay, counts } = dailyCounts(params, totalFor, dayCount);
    this.firstDay = firstDay;
    if (params.Sort === '1') counts.reverse();
    this.descending = params.Sort === '1';
    let sum = 0;
    this.cumulative = counts.map((count) => (sum += count));
    this.total = sum;
    this.perPage = itemsPerPageOf(params);
    this.pageCount = Math.ceil(Math.min(this.total, RESULT_CAP) / this.perPage);
  }

  /** Rows of page n (1-based); empty beyond the pages the site would serve. */
  rowsOfPage(page: number): GeneratedRow[] {
    if (page < 1 || page > this.pageCount) return [];
    const first = (page - 1) * this.perPage;
    const last = Math.min(first + this.perPage, this.total, RESULT_CAP);
    const rows: GeneratedRow[] = [];
    for (let index = first; index < last; index++) rows.push(generateRow(this.params, this.documentIdAt(index)));
    return rows;
  }

  private documentIdAt(index: number): string {
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.cumulative[middle] > index) high = middle;
      else low = middle + 1;
    }
    const dayOffset = this.descending ? this.cumulative.length - 1 - low : low;
    const indexInDay = index - (low === 0 ? 0 : this.cumulative[low - 1]);
    return documentIdFor(this.firstDay + dayOffset, indexInDay);
  }
}
