import { describe, expect, it } from 'vitest';
import * as catalogues from '../../client/rules/catalogues.ts';
import { parseRegistryDate } from '../../client/rules/registry-dates.ts';
import { parsePage, type RegistryPage } from '../../client/registry/parsers/index.ts';
import { FIXTURE_DOCUMENT_IDS, readFixture } from '../fake-registry/fixtures.ts';
import { emptyResultsPage, showCaptcha } from '../fake-registry/pages.ts';

function parseAs<K extends RegistryPage['kind']>(html: string, kind: K): Extract<RegistryPage, { kind: K }> {
  const page = parsePage(html);
  expect(page.kind).toBe(kind);
  return page as Extract<RegistryPage, { kind: K }>;
}

const entries = (catalogue: catalogues.Catalogue) => catalogue.map(([value, label]) => ({ value, label }));

describe('form page', () => {
  it('reads every option catalogue of the JS-rendered form, matching the built-in catalogues', () => {
    const form = parseAs(readFixture('home-rendered.html'), 'form');
    expect(form.multiSelectNaming).toBe('brackets');
    expect(form.documentsInRegistry).toBe(131041491);
    expect(form.catalogues).toEqual({
      CourtRegion: entries(catalogues.courtRegions),
      INSType: entries(catalogues.instances),
      VRType: entries(catalogues.decisionForms),
      CSType: entries(catalogues.proceedingForms),
      CaseCat1: entries(catalogues.caseCategories),
      SideStatus: entries(catalogues.sideStatuses),
      Sort: entries(catalogues.sortOrders),
      'PagingInfo.ItemsPerPage': entries(catalogues.itemsPerPage),
      Liga: entries(catalogues.ligaOptions),
      ProviderItem: entries(catalogues.linkProviders),
    });
    // Built-in catalogues keep the site's option order (VRType lists 10 before 7).
    expect(form.catalogues.VRType.map((option) => option.value)).toEqual(['1', '2', '3', '4', '5', '6', '10', '7']);
  });

  it('reads the raw (pre-JS) form: plain select names', () => {
    const form = parseAs(readFixture('home-raw-truncated.html'), 'form');
    expect(form.multiSelectNaming).toBe('plain');
    expect(form.catalogues.CourtRegion).toHaveLength(31);
    expect(form.catalogues.CourtRegion[9]).toEqual({ value: '11', label: 'Київська область' });
    expect(form.catalogues.INSType).toEqual(entries(catalogues.instances));
  });
});

describe('results page', () => {
  const page = parseAs(readFixture('search-results-region11-instance1.html'), 'results');

  it('reads total, per-page and the page count under the 100,000 cap', () => {
    expect(page).toMatchObject({ total: 4735541, perPage: 25, currentPage: 1, pageCount: 4000, capped: true });
  });

  it('reads all 25 rows in order with the commented court codes', () => {
    expect(page.rows.map((row) => row.documentId)).toEqual([
      '101476997',
      '107872773',
      '121394447',
      '132507018',
      '107751396',
      '123881459',
      '117308392',
      '131121714',
      '99765063',
      '126839871',
      '99555292',
      '100076048',
      '99603221',
      '116432315',
      '121761615',
      '121761614',
      '121761613',
      '130226441',
      '124008020',
      '126175399',
      '111177003',
      '110190746',
      '89649620',
      '123390066',
      '71123954',
    ]);
    expect(page.rows.map((row) => row.courtCode)).toEqual([
      '1015',
      '1021',
      '1021',
      '1021',
      '1021',
      '1021',
      '1021',
      '1021',
      '1003',
      '1021',
      '1003',
      '1003',
      '1027',
      '1025',
      '1008',
      '1008',
      '1008',
      '1021',
      '1021',
      '1021',
      '1010',
      '1010',
      '1007',
      '1008',
      '1027',
    ]);
  });

  it('reads every field of a row, keeping malformed dates raw', () => {
    expect(page.rows[0]).toEqual({
      documentId: '101476997',
      path: '/Review/101476997',
      decisionForm: 'Ухвала',
      adoptedOn: { raw: '21.04.0211', iso: null },
      inForceOn: { raw: '26.04.2011', iso: '2011-04-26' },
      proceedingForm: 'Адміністративне',
      caseNumber: '2-а-2968/11',
      courtName: 'Києво-Святошинський районний суд Київської області',
      courtCode: '1015',
      judge: 'Усатов Д. Д.',
    });
    expect(page.rows[24]).toEqual({
      documentId: '71123954',
      path: '/Review/71123954',
      decisionForm: 'Постанова',
      adoptedOn: { raw: '20.12.2001', iso: '2001-12-20' },
      inForceOn: { raw: '', iso: null },
      proceedingForm: 'Справи про адміністративні правопорушення',
      caseNumber: '381/4025/17',
      courtName: 'Фастівський міськрайонний суд Київської області',
      courtCode: '1027',
      judge: 'Буймова Л. П.',
    });
    expect(page.rows[10]).toMatchObject({
      documentId: '99555292',
      caseNumber: '2-1182',
      judge: 'Тридуб С.М.',
      adoptedOn: { raw: '18.05.1997', iso: '1997-05-18' },
    });
  });

  it('reads the echoed active filters', () => {
    expect(page.activeFilters).toEqual({
      CourtRegion: ['11'],
      INSType: ['1'],
      Sort: '0',
      'PagingInfo.ItemsPerPage': '25',
      Liga: 'true',
      ProviderItem: '1',
    });
  });
});

describe('error, captcha and empty pages', () => {
  it('recognises the error page a scripted POST got', () => {
    expect(parsePage(readFixture('search-error.html'))).toEqual({
      kind: 'error',
      title: 'Перегляд сторінки недоступний',
      message: 'Під час виконання пошуку виникла помилка',
    });
  });

  it('ignores the hidden captcha block present on every page', () => {
    const kinds = [
      'home-rendered.html',
      'search-results-region11-instance1.html',
      ...FIXTURE_DOCUMENT_IDS.map((id) => `review/${id}.html`),
    ].map((name) => parsePage(readFixture(name)).kind);
    expect(kinds).toEqual(['form', 'results', 'review', 'review', 'review', 'review']);
  });

  it('recognises a shown captcha, on any page', () => {
    for (const name of ['search-results-region11-instance1.html', 'search-error.html']) {
      expect(parsePage(showCaptcha(readFixture(name)))).toEqual({
        kind: 'captcha',
        prompt: 'Введіть cуму цифр, зображених на малюнку:',
        imageUrl: null,
      });
    }
  });

  it('recognises the empty-result page: the form with a message and no table', () => {
    const page = parseAs(emptyResultsPage({ CourtRegion: ['14'] }), 'empty');
    expect(page).toMatchObject({
      total: 0,
      pageCount: 0,
      capped: false,
      message: 'За заданими параметрами пошуку документів не знайдено',
    });
    expect(page.activeFilters.CourtRegion).toEqual(['14']);
  });
});

describe('decision pages', () => {
  const expectedMetadata = {
    '101476997': {
      caseNumber: '2-а-2968/11',
      caseCategory:
        'Адміністративні справи (до 01.01.2019); Справи зі спорів з приводу реалізації публічної політики у сферах праці, зайнятості населення та соціального захисту громадян та спорів у сфері публічної житлової політики, зокрема зі спорів щодо:; соціального захисту; соціального захисту та зайнятості інвалідів; соціальних послуг, у тому числі:; соціального захисту дітей війни',
      sentOn: { raw: '30.11.2021', iso: '2021-11-30' },
      registeredOn: { raw: '01.12.2021', iso: '2021-12-01' },
      publishedOn: { raw: '02.12.2021', iso: '2021-12-02' },
      inForceOn: { raw: '26.04.2011', iso: '2011-04-26' },
      proceedingNumber: null,
    },
    '107751396': {
      caseNumber: '2-73/1983',
      caseCategory: 'Цивільні справи (до 01.01.2019); Позовне провадження; Інші справи позовного провадження',
      sentOn: { raw: '08.12.2022', iso: '2022-12-08' },
      registeredOn: { raw: '09.12.2022', iso: '2022-12-09' },
      publishedOn: { raw: '12.12.2022', iso: '2022-12-12' },
      inForceOn: { raw: '03.05.1983', iso: '1983-05-03' },
      proceedingNumber: null,
    },
    '107872773': {
      caseNumber: '2-7/1982',
      caseCategory:
        'Цивільні справи (з 01.01.2019); Справи позовного провадження; Справи у спорах, що виникають із сімейних відносин, з них; про розірвання шлюбу',
      sentOn: { raw: '14.12.2022', iso: '2022-12-14' },
      registeredOn: { raw: '15.12.2022', iso: '2022-12-15' },
      publishedOn: { raw: '15.12.2022', iso: '2022-12-15' },
      inForceOn: { raw: '03.05.1982', iso: '1982-05-03' },
      proceedingNumber: null,
    },
    '13801766': {
      caseNumber: '2-354/2006',
      caseCategory: null,
      sentOn: null,
      registeredOn: { raw: '18.02.2011', iso: '2011-02-18' },
      publishedOn: { raw: '18.02.2011', iso: '2011-02-18' },
      inForceOn: null,
      proceedingNumber: null,
    },
  };

  for (const documentId of FIXTURE_DOCUMENT_IDS) {
    it(`${documentId}: metadata, decision HTML and text as in the print view`, () => {
      const page = parseAs(readFixture(`review/${documentId}.html`), 'review');
      expect(page.metadata).toEqual(expectedMetadata[documentId]);
      expect(page.html.startsWith('<!DOCTYPE HTML PUBLIC')).toBe(true);
      expect(page.html.trimEnd().endsWith('</html>')).toBe(true);
      expect(page.html).not.toContain('&lt;p');
      const referenceLines = readFixture(`review/${documentId}.print.txt`)
        .split('\n')
        .map((line) => line.replace(/[\s\u00a0]+/g, ' ').trim())
        .filter((line) => line !== '');
      expect(page.text.split('\n')).toEqual(referenceLines);
    });
  }
});

describe('registry dates', () => {
  it('parses valid DD.MM.YYYY (with or without the trailing dot) and rejects impossible ones', () => {
    expect(parseRegistryDate('26.04.2011')).toBe('2011-04-26');
    expect(parseRegistryDate('30.11.2021.')).toBe('2021-11-30');
    expect(parseRegistryDate('21.04.0211')).toBeNull();
    expect(parseRegistryDate('31.02.2020')).toBeNull();
    expect(parseRegistryDate('29.02.2020')).toBe('2020-02-29');
    expect(parseRegistryDate('не визначено')).toBeNull();
    expect(parseRegistryDate('')).toBeNull();
  });
});
