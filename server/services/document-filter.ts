// The filter a person gives (GraphQL `DocumentFilter`, REST query, CLI flags) → a validated
// DocumentFilter for the SQL: codes checked against the catalogues (a name is accepted for its code),
// dates real and ranges in order, lists bounded.
import { z } from 'zod';
import { codeOf } from '../../client/rules/index.ts';
import { type Catalogue, courtRegions, decisionForms, instances, proceedingForms } from '../../client/rules/index.ts';
import type { DateRange, DocumentFilter } from '../db/sql/document-filter.ts';
import { parseInput } from './errors.ts';
import { idSchema } from './ids.ts';

const MAX_LIST = 200;

const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'must be a real calendar date',
  );

const dateRange = z
  .object({ from: isoDate.nullish(), to: isoDate.nullish() })
  .refine((r) => !r.from || !r.to || r.from <= r.to, { message: 'from is after to', path: ['from'] })
  .nullish();

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const list = (item: z.ZodType<string>) => z.array(item).max(MAX_LIST, `at most ${MAX_LIST} values`).nullish();

/** A catalogue code, given as the code or its Ukrainian name; anything else is an error naming the codes. */
const coded = (catalogue: Catalogue, what: string) =>
  z.string().transform((value, ctx) => {
    const code = codeOf(catalogue, value);
    if (code === null) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown ${what} ${JSON.stringify(value)}: use one of ${catalogue.map(([c]) => c).join(', ')}`,
      });
      return z.NEVER;
    }
    return code;
  });

const filterSchema = z
  .object({
    documentIds: list(
      z
        .string()
        .trim()
        .regex(/^\d{1,15}$/, 'must be a registry document id (digits)'),
    ),
    caseNumber: text(200).nullish(),
    proceedingNumber: text(200).nullish(),
    courtRegions: list(coded(courtRegions, 'region code')),
    courtCodes: list(text(20)),
    courtNames: list(text(500)),
    judges: list(text(500)),
    instances: list(coded(instances, 'instance code')),
    decisionForms: list(coded(decisionForms, 'decision form code')),
    proceedingForms: list(coded(proceedingForms, 'proceeding form code')),
    caseCategory: text(500).nullish(),
    adoptedOn: dateRange,
    sentOn: dateRange,
    registeredOn: dateRange,
    publishedOn: dateRange,
    inForceOn: dateRange,
    taskId: idSchema.nullish(),
    clientId: idSchema.nullish(),
    indexed: z.boolean().nullish(),
  })
  .strict();

export type DocumentFilterInput = z.input<typeof filterSchema>;

const definedRange = (r: { from?: string | null; to?: string | null } | null | undefined): DateRange | undefined =>
  r && (r.from || r.to) ? { from: r.from ?? null, to: r.to ?? null } : undefined;

/** Validates a filter (null/absent fields mean "any"); errors are BAD_USER_INPUT with the field's path. */
export function parseDocumentFilter(input: DocumentFilterInput | null | undefined, path = 'filter'): DocumentFilter {
  const f = parseInput(z.object({ [path]: filterSchema.nullish() }), { [path]: input ?? null })[path] ?? {};
  const filter: DocumentFilter = {};
  const lists = [
    'documentIds',
    'courtRegions',
    'courtCodes',
    'courtNames',
    'judges',
    'instances',
    'decisionForms',
    'proceedingForms',
  ] as const;
  for (const key of lists) if (f[key]?.length) filter[key] = [...new Set(f[key])];
  for (const key of ['caseNumber', 'proceedingNumber', 'caseCategory', 'taskId', 'clientId'] as const)
    if (f[key]) filter[key] = f[key] as string;
  for (const key of ['adoptedOn', 'sentOn', 'registeredOn', 'publishedOn', 'inForceOn'] as const) {
    const range = definedRange(f[key]);
    if (range) filter[key] = range;
  }
  if (f.indexed != null) filter.indexed = f.indexed;
  return filter;
}
