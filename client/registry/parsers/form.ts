/**
 * The search form as the registry serves it: option catalogues and the echoed (active) filters.
 * Works on the raw form (`<select multiple name="CourtRegion"><option selected>`) and on the DOM
 * after the site's JS turned multi-selects into checkbox lists (`input[name="CourtRegion[]"]:checked`).
 */
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
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

/** `<select name>`s an option is inside, nearest first. */
function selectNamesAround(option: Element): string[] {
  const names: string[] = [];
  for (let node = option.parent; node; node = node.parent)
    if (node.type === 'tag' && node.name === 'select' && node.attribs.name !== undefined) names.push(node.attribs.name);
  return names;
}

/**
 * The form's named inputs and selects and what is marked (checked inputs, selected options) in page order, from one
 * pass over the page: a query per search field went over the whole results page ~20 times (a third of its parse).
 */
function formControls($: CheerioAPI) {
  const inputs = new Map<string, Element>();
  const selects = new Map<string, Element>();
  const marked: Array<{ element: Element; names: string[] }> = [];
  for (const element of $('input[name], select[name], option').toArray() as Element[]) {
    const { name } = element.attribs;
    if (element.name === 'input') {
      if (!inputs.has(name)) inputs.set(name, element);
      if (element.attribs.checked !== undefined) marked.push({ element, names: [name] });
    } else if (element.name === 'select') {
      if (!selects.has(name)) selects.set(name, element);
    } else if (element.attribs.selected !== undefined) {
      marked.push({ element, names: selectNamesAround(element) });
    }
  }
  return { inputs, selects, marked };
}

/** The filters the page's form shows as active: what the registry applied to the current search. */
export function parseActiveFilters($: CheerioAPI): SearchParams {
  const active: SearchParams = {};
  const { inputs, selects, marked } = formControls($);
  for (const field of SEARCH_FIELDS) {
    if (field.kind === 'multi') {
      // `input[name="<field>[]"][checked], select[name="<field>"] option[selected]`, in page order
      const checked = marked
        .filter(({ element, names }) =>
          element.name === 'input' ? names[0] === `${field.name}[]` : names.includes(field.name),
        )
        .map(({ element }) => $(element).attr('value') ?? '');
      if (checked.length > 0) active[field.name] = checked;
    } else if (field.kind === 'select') {
      const element = selects.get(field.name);
      const select = element ? $(element) : null;
      const selected =
        select?.find('option[selected]').first().attr('value') ?? select?.find('option').first().attr('value');
      if (selected !== undefined) active[field.name] = selected;
    } else {
      const input = inputs.get(field.name);
      const value = input ? $(input).attr('value')?.trim() : undefined;
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
