/**
 * `reyestr registry fields [NAME]`: the registry's search form as this program knows it — every field a task's
 * search params may use, with its kind and, for the fields with a fixed list, every code and its Ukrainian name
 * (`CourtRegion=11` is Київська область). Works offline: the list is client/rules/search-fields.ts.
 */
import type { Command } from 'commander';
import { SEARCH_FIELDS, type SearchFieldDefinition } from '../rules/index.ts';
import type { CommandOutput } from './registry.ts';

const kindOf = (field: SearchFieldDefinition): string => {
  switch (field.kind) {
    case 'text':
      return 'text';
    case 'date':
      return 'date (DD.MM.YYYY or YYYY-MM-DD)';
    case 'select':
      return `one code (default ${field.initial})`;
    case 'multi':
      return field.catalogue ? 'codes (one or a list)' : 'numeric codes the site loads on demand';
  }
};

const asJson = (field: SearchFieldDefinition) => ({
  name: field.name,
  label: field.label,
  kind: field.kind,
  ...(field.kind === 'select' ? { initial: field.initial } : {}),
  ...('catalogue' in field && field.catalogue
    ? { codes: field.catalogue.map(([code, name]) => ({ code, name })) }
    : {}),
});

export function registerRegistryFieldsCommand(registry: Command, output: CommandOutput): void {
  registry
    .command('fields')
    .description('list the search fields (-p Name=value), or one field with every code and its name')
    .argument('[name]', 'one field, e.g. CourtRegion (any letter case)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  reyestr registry fields\n  reyestr registry fields CourtRegion')
    .action((name: string | undefined, options: { json?: boolean }) => {
      const fields = name ? SEARCH_FIELDS.filter((f) => f.name.toLowerCase() === name.toLowerCase()) : SEARCH_FIELDS;
      if (fields.length === 0) {
        output.err(
          `reyestr: no search field "${name}"; the fields are ${SEARCH_FIELDS.map((f) => f.name).join(', ')}\n`,
        );
        process.exitCode = 2;
        return;
      }
      if (options.json)
        return output.out(`${JSON.stringify(name ? asJson(fields[0]) : fields.map(asJson), null, 2)}\n`);
      if (!name) {
        const width = Math.max(...SEARCH_FIELDS.map((f) => f.name.length));
        const lines = fields.map((f) => `${f.name.padEnd(width)}  ${f.label}: ${kindOf(f)}`);
        return output.out(`${lines.join('\n')}\n\nCodes of one field: reyestr registry fields <NAME>\n`);
      }
      const [field] = fields;
      const head = `${field.name}: ${field.label}; ${kindOf(field)}`;
      const codes = 'catalogue' in field && field.catalogue ? field.catalogue : [];
      const width = Math.max(0, ...codes.map(([code]) => code.length));
      output.out(`${[head, ...codes.map(([code, label]) => `  ${code.padStart(width)}  ${label}`)].join('\n')}\n`);
    });
}
