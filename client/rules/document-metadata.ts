/**
 * A decision's typed metadata (registry vocabulary, ../shared/notes/architecture.md) from the metadata
 * JSON a document was registered with. Three shapes exist and all are read:
 *   - this project's worker: the results row + the decision page header (`decisionForm: "Ухвала"`,
 *     `adoptedOn: { raw, iso }`, `judge`, `courtCode`, `caseCategory`, `sentOn`, …, `sourceUrl`);
 *   - the older system's REST registration (`decisionType`, `decisionDate: "DD.MM.YYYY"`, `judgeName`,
 *     `caseType`, `url`, `classification: { courtRegion, instanceType }`);
 *   - codes instead of labels (`decisionForm: "5"`), ISO dates — whatever a script sends.
 * Codes are the registry's form values (VRType, CSType, CourtRegion, INSType); their Ukrainian names come
 * from the catalogues. The region of a decision is not on its page: it comes from the metadata, else from
 * the task's search (a single CourtRegion), else from the court's name. Pure: no I/O.
 */
import { type Catalogue, catalogueHas, courtRegions, decisionForms, instances, proceedingForms } from './catalogues.ts';
import { parseRegistryDate } from './registry-dates.ts';

export interface TypedDocumentMetadata {
  caseNumber: string | null;
  proceedingNumber: string | null;
  courtName: string | null;
  courtCode: string | null;
  /** CourtRegion code */
  courtRegion: string | null;
  /** INSType code */
  instance: string | null;
  judge: string | null;
  /** VRType code */
  decisionForm: string | null;
  /** CSType code */
  proceedingForm: string | null;
  caseCategory: string | null;
  /** ISO YYYY-MM-DD */
  adoptedOn: string | null;
  sentOn: string | null;
  registeredOn: string | null;
  publishedOn: string | null;
  inForceOn: string | null;
  sourceUrl: string | null;
}

/**
 * The typed fields in column order, each a column of the gate's documents table (the field's name in
 * snake_case) holding text or a date: the one list the gate builds its SQL from (recording, export).
 */
export const TYPED_METADATA_FIELDS = [
  { field: 'caseNumber', type: 'text' },
  { field: 'proceedingNumber', type: 'text' },
  { field: 'courtName', type: 'text' },
  { field: 'courtCode', type: 'text' },
  { field: 'courtRegion', type: 'text' },
  { field: 'instance', type: 'text' },
  { field: 'judge', type: 'text' },
  { field: 'decisionForm', type: 'text' },
  { field: 'proceedingForm', type: 'text' },
  { field: 'caseCategory', type: 'text' },
  { field: 'adoptedOn', type: 'date' },
  { field: 'sentOn', type: 'date' },
  { field: 'registeredOn', type: 'date' },
  { field: 'publishedOn', type: 'date' },
  { field: 'inForceOn', type: 'date' },
  { field: 'sourceUrl', type: 'text' },
] as const satisfies ReadonlyArray<{ field: keyof TypedDocumentMetadata; type: 'text' | 'date' }>;

// Every field of TypedDocumentMetadata is in the list (the compiler refuses this line otherwise).
const everyTypedField: Exclude<
  keyof TypedDocumentMetadata,
  (typeof TYPED_METADATA_FIELDS)[number]['field']
> extends never
  ? true
  : never = true;
void everyTypedField;

/** The documents table's column of a typed field: `adoptedOn` → `adopted_on`. */
export const typedMetadataColumn = (field: keyof TypedDocumentMetadata): string =>
  field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const REGISTRY_ORIGIN = 'https://reyestr.court.gov.ua';

type Json = Record<string, unknown>;

const UNDEFINED_VALUES = new Set(['', '-', '—', 'не визначено']);
const LONGEST_UNDEFINED = Math.max(...[...UNDEFINED_VALUES].map((v) => v.length));
/** Whitespace that collapsing or trimming would change: a run, a tab or line break, or at either end. */
const UNTIDY_SPACE = /\s\s|[^\S ]|^ | $/;

/** A trimmed, whitespace-collapsed string, or null for absent / "не визначено" / "-". */
function textOf(value: unknown, max = 2000): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  // A tidy value (most are) is kept as it is, not rebuilt: this runs for every field of every document stored.
  const text = UNTIDY_SPACE.test(value) ? value.replace(/\s+/g, ' ').trim() : value;
  // Lower-casing never shortens a string, so a longer one is none of the undefined values.
  if (text.length <= LONGEST_UNDEFINED && UNDEFINED_VALUES.has(text.toLowerCase())) return null;
  return text.length > max ? text.slice(0, max) : text;
}

const first = (m: Json, ...keys: string[]) => {
  for (const key of keys) {
    const value = textOf(m[key]);
    if (value !== null) return value;
  }
  return null;
};

/** A date given as `{ raw, iso }`, `DD.MM.YYYY` or `YYYY-MM-DD`; null when absent or not a real date. */
export function isoDateOf(value: unknown): string | null {
  if (value && typeof value === 'object') {
    const { iso, raw } = value as { iso?: unknown; raw?: unknown };
    return isoDateOf(iso) ?? isoDateOf(raw);
  }
  const text = textOf(value);
  if (!text) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$/.exec(text);
  return iso ? parseRegistryDate(`${iso[3]}.${iso[2]}.${iso[1]}`) : parseRegistryDate(text);
}

const firstDate = (m: Json, ...keys: string[]) => {
  for (const key of keys) {
    const value = isoDateOf(m[key]);
    if (value !== null) return value;
  }
  return null;
};

const normalised = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/** The catalogue code of a value given as its code or its Ukrainian name (any case); null if unknown. */
export function codeOf(catalogue: Catalogue, value: unknown): string | null {
  const text = textOf(value);
  if (!text) return null;
  if (catalogueHas(catalogue, text)) return text;
  const wanted = normalised(text);
  return catalogue.find(([, label]) => normalised(label) === wanted)?.[0] ?? null;
}

/** Region stems as they appear inside court names ("Вінницький міський суд Вінницької області"). */
const REGION_IN_COURT_NAME: Array<[code: string, pattern: RegExp]> = [
  ['27', /міста Києва|м\. Києва/i],
  ['28', /Севастопол/i],
  ...courtRegions
    .filter(([code]) => Number(code) <= 26)
    .map(([code, label]): [string, RegExp] => [
      code,
      new RegExp(
        label
          .split(' ')[0]
          .replace(/а$/, '')
          .replace(/Республіка/, ''),
        'i',
      ),
    ]),
];

/** The region a court's name points to ("… суд Київської області" → 11), or null. */
export function regionOfCourtName(courtName: string | null | undefined): string | null {
  if (!courtName) return null;
  return REGION_IN_COURT_NAME.find(([, pattern]) => pattern.test(courtName))?.[0] ?? null;
}

/** The instance a court's name points to: Supreme / cassation 3, appeal 2, any other court 1. */
export function instanceOfCourtName(courtName: string | null | undefined): string | null {
  if (!courtName) return null;
  if (/Верховн|касаційн/i.test(courtName)) return '3';
  if (/апеляційн/i.test(courtName)) return '2';
  return /суд/i.test(courtName) ? '1' : null;
}

/** The one value of a search param (`CourtRegion: "11"` or `["11"]`), or null when absent or several. */
export function singleSearchValue(params: unknown, name: string): string | null {
  const record = (params && typeof params === 'object' ? params : {}) as Json;
  const value = record[name] ?? record[`${name}[]`];
  const values = Array.isArray(value) ? value : value == null ? [] : [value];
  return values.length === 1 && (typeof values[0] === 'string' || typeof values[0] === 'number')
    ? String(values[0])
    : null;
}

function sourceUrlOf(m: Json, documentId: string | null): string | null {
  const url = first(m, 'sourceUrl', 'url');
  if (url && /^https?:\/\//i.test(url)) return url;
  const path = url ?? first(m, 'path');
  if (path && /^\/Review\/\d+$/.test(path)) return `${REGISTRY_ORIGIN}${path}`;
  return documentId ? `${REGISTRY_ORIGIN}/Review/${documentId}` : null;
}

/**
 * The typed metadata of a document. `searchParams`: the search of the task that downloaded it (a single
 * CourtRegion / INSType there is that document's region / instance).
 */
export function typedMetadataOf(
  metadataInput: unknown,
  { documentId = null, searchParams = null }: { documentId?: string | null; searchParams?: unknown } = {},
): TypedDocumentMetadata {
  const m = (metadataInput && typeof metadataInput === 'object' ? metadataInput : {}) as Json;
  const classification = (m.classification && typeof m.classification === 'object' ? m.classification : {}) as Json;
  const courtName = first(m, 'courtName');
  return {
    caseNumber: first(m, 'caseNumber'),
    proceedingNumber: first(m, 'proceedingNumber'),
    courtName,
    courtCode: first(m, 'courtCode'),
    courtRegion:
      codeOf(courtRegions, m.courtRegion) ??
      codeOf(courtRegions, classification.courtRegion) ??
      codeOf(courtRegions, singleSearchValue(searchParams, 'CourtRegion')) ??
      regionOfCourtName(courtName),
    instance:
      codeOf(instances, m.instance) ??
      codeOf(instances, classification.instanceType) ??
      codeOf(instances, singleSearchValue(searchParams, 'INSType')) ??
      instanceOfCourtName(courtName),
    judge: first(m, 'judge', 'judgeName'),
    decisionForm: codeOf(decisionForms, m.decisionForm) ?? codeOf(decisionForms, m.decisionType),
    proceedingForm: codeOf(proceedingForms, m.proceedingForm) ?? codeOf(proceedingForms, m.caseType),
    caseCategory: first(m, 'caseCategory'),
    adoptedOn: firstDate(m, 'adoptedOn', 'decisionDateIso', 'decisionDate'),
    sentOn: firstDate(m, 'sentOn'),
    registeredOn: firstDate(m, 'registeredOn'),
    publishedOn: firstDate(m, 'publishedOn'),
    inForceOn: firstDate(m, 'inForceOn', 'lawDate'),
    sourceUrl: sourceUrlOf(m, documentId ?? first(m, 'documentId', 'externalId', 'regNumber')),
  };
}
