/**
 * The filter flags `documents search|stats|export` share, turned into the gate's DocumentFilter: codes
 * (or their Ukrainian names) for region/form/kind/instance, exact judge and court names, adopted-date range,
 * and `--filter <json>` for any other field of DocumentFilter.
 */
import type { Command } from 'commander';
import type { DocumentFilter } from '../gate/generated/graphql.ts';
import { CliError, list } from './support.ts';

export interface FilterOptions {
  region?: string[];
  court?: string[];
  courtCode?: string[];
  judge?: string[];
  form?: string[];
  kind?: string[];
  instance?: string[];
  caseNumber?: string;
  category?: string;
  from?: string;
  to?: string;
  task?: string;
  filter?: string;
}

const repeat = (value: string, previous: string[] = []) => [...previous, value];

export const filterOptions = (command: Command) =>
  command
    .option('--region <codes>', 'CourtRegion codes or names, comma-separated (11 = Київська область)', list)
    .option('--court <name>', 'exact court name (repeatable)', repeat)
    .option('--court-code <codes>', 'court codes, comma-separated', list)
    .option('--judge <name>', 'exact judge name as the registry writes it, e.g. "Рева О. І." (repeatable)', repeat)
    .option(
      '--form <codes>',
      'decision forms (VRType) codes or names: 1 Вирок, 2 Постанова, 3 Рішення, 5 Ухвала…',
      list,
    )
    .option(
      '--kind <codes>',
      'proceedings (CSType): 1 civil, 2 criminal, 3 commercial, 4 administrative, 5 offences',
      list,
    )
    .option('--instance <codes>', 'instances (INSType): 1 first, 2 appeal, 3 cassation', list)
    .option('--case-number <number>', 'exact case number, e.g. 910/1234/23')
    .option('--category <text>', 'the case category path starts with this')
    .option('--from <date>', 'adopted on or after (YYYY-MM-DD)')
    .option('--to <date>', 'adopted on or before (YYYY-MM-DD)')
    .option('--task <id>', 'downloaded by this task')
    .option('--filter <json>', 'any DocumentFilter fields as JSON, e.g. \'{"inForceOn":{"from":"2024-01-01"}}\'');

/** The flags as one DocumentFilter (flags win over the same fields of --filter). */
export function filterOf(o: FilterOptions): DocumentFilter {
  let base: DocumentFilter = {};
  if (o.filter) {
    try {
      base = JSON.parse(o.filter);
    } catch (error) {
      throw new CliError(`--filter: not JSON (${(error as Error).message})`);
    }
    if (!base || typeof base !== 'object' || Array.isArray(base)) throw new CliError('--filter: must be a JSON object');
  }
  const set = <K extends keyof DocumentFilter>(key: K, value: DocumentFilter[K] | undefined) =>
    value === undefined || (Array.isArray(value) && value.length === 0) ? {} : { [key]: value };
  return {
    ...base,
    ...set('courtRegions', o.region),
    ...set('courtNames', o.court),
    ...set('courtCodes', o.courtCode),
    ...set('judges', o.judge),
    ...set('decisionForms', o.form),
    ...set('proceedingForms', o.kind),
    ...set('instances', o.instance),
    ...set('caseNumber', o.caseNumber),
    ...set('caseCategory', o.category),
    ...set('taskId', o.task),
    ...(o.from || o.to
      ? { adoptedOn: { ...(base.adoptedOn ?? {}), ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) } }
      : {}),
  };
}
