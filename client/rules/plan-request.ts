/**
 * What an operator asks a plan for (params, an adopted-on range, a window unit, chunk size, page budget,
 * split fields), checked and normalised into the PlanRequest the planning rules (plan-window.ts) work from.
 * The CLI's dry run and the gate's createPlan both call this, so both refuse the same requests.
 */
import {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_SPLIT_FIELDS,
  InvalidPlanError,
  MAX_CHUNK_SIZE,
  SPLIT_FIELD_CATALOGUES,
  WINDOW_UNITS,
  type PlanRequest,
  type WindowUnit,
} from './plan-window.ts';
import { parseRegistryDate } from './registry-dates.ts';
import { itemsPerPageOf, validateSearchParams } from './search-fields.ts';

/** Fields a plan sets itself. */
const WINDOW_FIELDS = ['RegDateBegin', 'RegDateEnd'];

/** `DD.MM.YYYY` or `YYYY-MM-DD` → ISO, or null. */
export function toIsoDate(value: string): string | null {
  const trimmed = value.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  return parseRegistryDate(iso ? `${iso[3]}.${iso[2]}.${iso[1]}` : trimmed);
}

export interface PlanRequestInput {
  searchParams?: unknown;
  from: string;
  to: string;
  window?: string | null;
  chunkSize?: number | null;
  pageBudget?: number | null;
  splitFields?: string[] | null;
}

/** Validates and normalises what an operator asks for; throws InvalidPlanError (or the params' own error). */
export function normalisePlanRequest(input: PlanRequestInput): PlanRequest {
  const raw = (input.searchParams ?? {}) as Record<string, unknown>;
  for (const field of [...WINDOW_FIELDS, 'Sort']) {
    if (raw && typeof raw === 'object' && raw[field] !== undefined) {
      throw new InvalidPlanError(`searchParams.${field}`, 'is set by the plan (use from/to and window)');
    }
  }
  const searchParams = validateSearchParams(raw);
  const from = toIsoDate(input.from ?? '');
  const to = toIsoDate(input.to ?? '');
  if (!from) throw new InvalidPlanError('from', `"${input.from}" is not a date (DD.MM.YYYY or YYYY-MM-DD)`);
  if (!to) throw new InvalidPlanError('to', `"${input.to}" is not a date (DD.MM.YYYY or YYYY-MM-DD)`);
  if (to < from) throw new InvalidPlanError('to', `${input.to} is before ${input.from}`);
  const window = input.window ? input.window.toLowerCase() : null;
  if (window !== null && !(WINDOW_UNITS as readonly string[]).includes(window)) {
    throw new InvalidPlanError('window', `"${input.window}" is not one of ${WINDOW_UNITS.join(', ')}`);
  }
  const perPage = itemsPerPageOf(searchParams);
  const chunkSize = input.chunkSize ?? Math.max(perPage, DEFAULT_CHUNK_SIZE - (DEFAULT_CHUNK_SIZE % perPage));
  if (!Number.isInteger(chunkSize) || chunkSize < perPage || chunkSize > MAX_CHUNK_SIZE || chunkSize % perPage !== 0) {
    throw new InvalidPlanError(
      'chunkSize',
      `must be a multiple of the ${perPage} rows per page, at most ${MAX_CHUNK_SIZE}`,
    );
  }
  const pageBudget = input.pageBudget ?? null;
  if (pageBudget !== null && (!Number.isInteger(pageBudget) || pageBudget < chunkSize / perPage)) {
    throw new InvalidPlanError(
      'pageBudget',
      `must be a whole number of pages, at least one chunk (${chunkSize / perPage})`,
    );
  }
  const splitFields = [...new Set(input.splitFields ?? DEFAULT_SPLIT_FIELDS)];
  for (const field of splitFields) {
    if (!SPLIT_FIELD_CATALOGUES[field]) {
      throw new InvalidPlanError(
        'splitFields',
        `"${field}" cannot split a day (use ${Object.keys(SPLIT_FIELD_CATALOGUES).join(', ')})`,
      );
    }
  }
  return {
    searchParams,
    from,
    to,
    window: window as WindowUnit | null,
    options: { chunkSize, pageBudget, splitFields },
  };
}
