/**
 * The registry's search form: every field, in the order a browser serialises the form, and the
 * validation of task `search_params` against it. Kept free of network/browser imports because the
 * gate reuses `validateSearchParams` to reject bad task params.
 */
import { z } from 'zod';
import * as catalogues from './catalogues.ts';
import { catalogueCodes, catalogueHas, type Catalogue } from './catalogues.ts';
import { parseRegistryDate } from './registry-dates.ts';
import { RegistryError } from './registry-error.ts';

type FieldKind =
  | { kind: 'text' }
  | { kind: 'date' }
  /** a multi-select; `catalogue` absent = codes loaded by the site on demand (numeric shape only) */
  | { kind: 'multi'; catalogue?: Catalogue }
  /** a single select that always submits a value: `initial` is what the untouched form sends */
  | { kind: 'select'; catalogue: Catalogue; initial: string };

export type SearchFieldDefinition = FieldKind & { name: string; label: string };

const caseCategoryLevels = [2, 3, 4, 5, 6].map(
  (level): SearchFieldDefinition => ({
    name: `CaseCat${level}`,
    label: `case category, level ${level}`,
    kind: 'multi',
  }),
);

/** Form order matters: the browser transport and the HTTP POST both follow it. */
export const SEARCH_FIELDS: readonly SearchFieldDefinition[] = [
  { name: 'SearchExpression', label: 'full-text search', kind: 'text' },
  { name: 'CourtRegion', label: 'court region', kind: 'multi', catalogue: catalogues.courtRegions },
  { name: 'CourtName', label: 'court name (code)', kind: 'multi' },
  { name: 'UserCourtCode', label: 'court code', kind: 'text' },
  { name: 'INSType', label: 'instance', kind: 'multi', catalogue: catalogues.instances },
  { name: 'ChairmenName', label: 'judge', kind: 'text' },
  { name: 'RegNumber', label: 'document id', kind: 'text' },
  { name: 'RegDateBegin', label: 'adopted on, from', kind: 'date' },
  { name: 'RegDateEnd', label: 'adopted on, to', kind: 'date' },
  { name: 'ImportDateBegin', label: 'received on, from', kind: 'date' },
  { name: 'ImportDateEnd', label: 'received on, to', kind: 'date' },
  { name: 'VRType', label: 'decision form', kind: 'multi', catalogue: catalogues.decisionForms },
  { name: 'CSType', label: 'proceeding form', kind: 'multi', catalogue: catalogues.proceedingForms },
  { name: 'CaseCat1', label: 'case category', kind: 'multi', catalogue: catalogues.caseCategories },
  ...caseCategoryLevels,
  { name: 'CaseNumber', label: 'case number', kind: 'text' },
  { name: 'SideStatus', label: 'party status', kind: 'multi', catalogue: catalogues.sideStatuses },
  { name: 'Sort', label: 'sort order', kind: 'select', catalogue: catalogues.sortOrders, initial: '0' },
  {
    name: 'PagingInfo.ItemsPerPage',
    label: 'rows per page',
    kind: 'select',
    catalogue: catalogues.itemsPerPage,
    initial: '25',
  },
  {
    name: 'Liga',
    label: 'use the Liga legal base',
    kind: 'select',
    catalogue: catalogues.ligaOptions,
    initial: 'true',
  },
  { name: 'ProviderItem', label: 'link provider', kind: 'select', catalogue: catalogues.linkProviders, initial: '1' },
];

export const SEARCH_FIELD_NAMES = SEARCH_FIELDS.map((field) => field.name);

/** Normalised params: multi-selects are lists, everything else one string; empty fields are left out. */
export type SearchParams = Record<string, string | string[]>;

/** How multi-select values are named in a submitted form: the raw form says `CourtRegion`, the
 *  site's JS-rendered checkbox lists say `CourtRegion[]`. Which one the live server demands is unknown. */
export type MultiSelectNaming = 'plain' | 'brackets';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value).trim());
const scalarOrList = z.union([scalar, z.array(scalar)]).transform((value) => (Array.isArray(value) ? value : [value]));

function fieldSchema(field: SearchFieldDefinition): z.ZodType<string | string[] | undefined> {
  switch (field.kind) {
    case 'text':
      return scalar.pipe(z.string().max(1000, 'is longer than 1000 characters'));
    case 'date':
      return scalar.transform((value, ctx) => {
        const normalised = normaliseDate(value);
        if (normalised === null) {
          ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid date (DD.MM.YYYY or YYYY-MM-DD)` });
          return z.NEVER;
        }
        return normalised;
      });
    case 'select':
      return scalar.refine((value) => catalogueHas(field.catalogue, value), {
        error: (issue) => `"${String(issue.input)}" is not one of ${catalogueCodes(field.catalogue)}`,
      });
    case 'multi':
      return scalarOrList.transform((values, ctx) => {
        const unique = [...new Set(values.filter((value) => value !== ''))];
        for (const value of unique) {
          const known = field.catalogue ? catalogueHas(field.catalogue, value) : /^\d+$/.test(value);
          if (!known) {
            const expected = field.catalogue ? `one of ${catalogueCodes(field.catalogue)}` : 'a numeric code';
            ctx.addIssue({ code: 'custom', message: `"${value}" is not ${expected}` });
          }
        }
        return unique;
      });
  }
}

/** Accepts the registry's `DD.MM.YYYY` and ISO `YYYY-MM-DD`; returns `DD.MM.YYYY` or null. */
function normaliseDate(value: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const registryForm = iso ? `${iso[3]}.${iso[2]}.${iso[1]}` : value;
  return parseRegistryDate(registryForm) === null ? null : registryForm;
}

const searchParamsSchema = z
  .strictObject(Object.fromEntries(SEARCH_FIELDS.map((field) => [field.name, fieldSchema(field).optional()])))
  .superRefine((params, ctx) => {
    for (const prefix of ['RegDate', 'ImportDate']) {
      const begin = params[`${prefix}Begin`];
      const end = params[`${prefix}End`];
      if (typeof begin === 'string' && typeof end === 'string' && parseRegistryDate(begin)! > parseRegistryDate(end)!) {
        ctx.addIssue({ code: 'custom', path: [`${prefix}End`], message: `${end} is before ${prefix}Begin ${begin}` });
      }
    }
  });

export interface SearchParamsIssue {
  field: string;
  message: string;
}

/** Invalid task params: class PARSE (nothing was requested), with one issue per bad field. */
export class InvalidSearchParamsError extends RegistryError {
  readonly issues: SearchParamsIssue[];
  constructor(issues: SearchParamsIssue[]) {
    super('PARSE', `invalid search params: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`, {
      reason: 'invalid-search-params',
    });
    this.issues = issues;
  }
}

/** One issue per bad field, in form order (unknown fields last). */
function describeIssues(error: z.ZodError): SearchParamsIssue[] {
  const order = (field: string) =>
    SEARCH_FIELD_NAMES.includes(field) ? SEARCH_FIELD_NAMES.indexOf(field) : SEARCH_FIELD_NAMES.length;
  return error.issues
    .flatMap((issue): SearchParamsIssue[] => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          field: key,
          message: `unknown search field (known: ${SEARCH_FIELD_NAMES.join(', ')})`,
        }));
      }
      const field = issue.path.length > 0 ? String(issue.path[0]) : '(params)';
      const message =
        issue.code === 'invalid_union' || issue.code === 'invalid_type'
          ? 'must be a string, number, boolean or a list of them'
          : issue.message;
      return [{ field, message }];
    })
    .sort((a, b) => order(a.field) - order(b.field));
}

/**
 * Task `search_params` → normalised SearchParams, or InvalidSearchParamsError naming every bad field.
 * `CourtRegion[]`-style keys (as a browser submits them) are accepted as their plain names.
 */
export function validateSearchParams(params: unknown): SearchParams {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new InvalidSearchParamsError([
      { field: '(params)', message: 'must be an object of registry field names to values' },
    ]);
  }
  const renamed = Object.fromEntries(Object.entries(params).map(([key, value]) => [key.replace(/\[\]$/, ''), value]));
  const result = searchParamsSchema.safeParse(renamed);
  if (!result.success) throw new InvalidSearchParamsError(describeIssues(result.error));
  const normalised: SearchParams = {};
  for (const field of SEARCH_FIELDS) {
    const value = result.data[field.name];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    normalised[field.name] = value;
  }
  return normalised;
}

/** The rows per page a search will produce (the form's default when not given). */
export function itemsPerPageOf(params: SearchParams): number {
  return Number(params['PagingInfo.ItemsPerPage'] ?? '25');
}

/**
 * The urlencoded body a browser would POST for these params: every text/date field (empty when
 * unset), selected multi-select values only, and the selects' current values, in form order.
 */
export function encodeSearchForm(params: SearchParams, naming: MultiSelectNaming = 'plain'): URLSearchParams {
  const body = new URLSearchParams();
  for (const field of SEARCH_FIELDS) {
    const value = params[field.name];
    if (field.kind === 'multi') {
      const key = naming === 'brackets' ? `${field.name}[]` : field.name;
      for (const item of (value as string[] | undefined) ?? []) body.append(key, item);
    } else if (field.kind === 'select') {
      body.append(field.name, (value as string | undefined) ?? field.initial);
    } else {
      body.append(field.name, (value as string | undefined) ?? '');
    }
  }
  return body;
}

/**
 * Reads a submitted search form (either naming of multi-selects) back into SearchParams, without
 * validation: the fake registry uses it, and so can anything that replays a recorded POST.
 */
export function decodeSearchForm(body: URLSearchParams): SearchParams {
  const params: SearchParams = {};
  for (const field of SEARCH_FIELDS) {
    if (field.kind === 'multi') {
      const values = [...body.getAll(field.name), ...body.getAll(`${field.name}[]`)].filter((value) => value !== '');
      if (values.length > 0) params[field.name] = [...new Set(values)];
    } else {
      const value = body.get(field.name)?.trim();
      if (value) params[field.name] = value;
    }
  }
  return params;
}
