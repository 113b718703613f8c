// The typed metadata columns of the documents table as parts of statements, built from the one list in
// client/rules (TYPED_METADATA_FIELDS): what an export selects and what recording a document writes. Not a
// statement itself. The names come from that constant list, never from input, so Prisma.raw is safe here.
import { TYPED_METADATA_FIELDS, typedMetadataColumn } from '../../../client/rules/index.ts';
import { Prisma } from '../../generated/prisma/client.ts';

const FIELDS = TYPED_METADATA_FIELDS.map(({ field, type }) => ({ field, type, column: typedMetadataColumn(field) }));
/** Content metadata cannot always tell these; an unknown value must not erase what a registration found. */
const KEPT_WHEN_UNKNOWN = new Set(['court_region', 'instance']);

/** `d.case_number AS "caseNumber", …, to_char(d.adopted_on, 'YYYY-MM-DD') AS "adoptedOn", …` */
export const selectTypedColumns = (alias: string) =>
  Prisma.raw(
    FIELDS.map(({ field, type, column }) =>
      type === 'date' ? `to_char(${alias}.${column}, 'YYYY-MM-DD') AS "${field}"` : `${alias}.${column} AS "${field}"`,
    ).join(', '),
  );

/** `case_number, proceeding_number, …` */
export const typedColumnNames = Prisma.raw(FIELDS.map((f) => f.column).join(', '));

/** The typed fields read from a jsonb object of them (`x.typed`): `(x.typed->>'caseNumber')::text, …` */
export const typedValuesFromJson = (jsonb: string) =>
  Prisma.raw(FIELDS.map((f) => `(${jsonb}->>'${f.field}')::${f.type}`).join(', '));

/** The SET list of an INSERT … ON CONFLICT into `documents AS <alias>` that refreshes the typed columns. */
export const typedColumnsFromExcluded = (alias: string) =>
  Prisma.raw(
    FIELDS.map(({ column }) =>
      KEPT_WHEN_UNKNOWN.has(column)
        ? `${column} = coalesce(EXCLUDED.${column}, ${alias}.${column})`
        : `${column} = EXCLUDED.${column}`,
    ).join(', '),
  );
