/**
 * The search form as the registry serves it: option catalogues and the echoed (active) filters.
 * Works on the raw form (`<select multiple name="CourtRegion"><option selected>`) and on the DOM
 * after the site's JS turned multi-selects into checkbox lists (`input[name="CourtRegion[]"]:checked`).
 */
import type { CheerioAPI } from 'cheerio';
import { SEARCH_FIELDS, type MultiSelectNaming, type SearchParams } from '../../rules/index.ts';
import { normaliseWhitespace } from './text.ts';

export interface CatalogueOption {
  value: string;
  label: string;
}

/** Field name → its options, for every select-like field of the form that lists options. */
export type FormCatalogues = Record<string, CatalogueOption[]>;

export interface FormPage {
  kind: 'form';
  catalogues: FormCatalogues;
  /** How this page's form names multi-select values (JS-rendered checkbox lists use `Name[]`). */
  multiSelectNaming: MultiSelectNaming;
  /** "Документів у системі" — the registry's document count shown under the form, when present. */
  documentsInRegistry: number | null;
}

const nameSelector = (name: string) => `[name="${name}"]`;

function optionsOf($: CheerioAPI, name: string): CatalogueOption[] {
  const checkboxes = $(`input[type="checkbox"]${nameSelector(`${name}[]`)}`);
  if (checkboxes.length > 0) {
    return checkboxes
      .toArray()
      .map((el) => ({ value: $(el).attr('value') ?? '', label: normaliseWhitespace($(el).parent('label').text()) }));
  }
  return $(`select${nameSelector(name)} option`)
    .toArray()
    .map((el) => ({ value: $(el).attr('value') ?? '', label: normaliseWhitespace($(el).text()) }));
}

export function parseFormCatalogues($: CheerioAPI): FormCatalogues {
  const catalogues: FormCatalogues = {};
  for (const field of SEARCH_FIELDS) {
    if (field.kind !== 'multi' && field.kind !== 'select') continue;
    const options = optionsOf($, field.name);
    if (options.length > 0) catalogues[field.name] = options;
  }
  return catalogues;
}

export function detectMultiSelectNaming($: CheerioAPI): MultiSelectNaming {
  return $('input[type="checkbox"][name$="[]"]').length > 0 ? 'brackets' : 'plain';
}

/** The digits of `#divAllDocuments` are one `<a>` per digit. */
export function parseDocumentsInRegistry($: CheerioAPI): number | null {
  const digits = $('#divAllDocuments').text().replace(/\D/g, '');
  return digits === '' ? null : Number(digits);
}

/** The filters the page's form shows as active: what the registry applied to the current search. */
export function parseActiveFilters($: CheerioAPI): SearchParams {
  const active: SearchParams = {};
  for (const field of SEARCH_FIELDS) {
    if (field.kind === 'multi') {
      const checked = $(
        `input${nameSelector(`${field.name}[]`)}[checked], select${nameSelector(field.name)} option[selected]`,
      )
        .toArray()
        .map((el) => $(el).attr('value') ?? '');
      if (checked.length > 0) active[field.name] = checked;
    } else if (field.kind === 'select') {
      const select = $(`select${nameSelector(field.name)}`).first();
      const selected =
        select.find('option[selected]').first().attr('value') ?? select.find('option').first().attr('value');
      if (selected !== undefined) active[field.name] = selected;
    } else {
      const value = $(`input${nameSelector(field.name)}`)
        .first()
        .attr('value')
        ?.trim();
      if (value) active[field.name] = value;
    }
  }
  return active;
}

export function parseFormPage($: CheerioAPI): FormPage {
  return {
    kind: 'form',
    catalogues: parseFormCatalogues($),
    multiSelectNaming: detectMultiSelectNaming($),
    documentsInRegistry: parseDocumentsInRegistry($),
  };
}
