/**
 * Option catalogues of the registry's search form, as published on the site's home page
 * (test/fixtures/registry/home-rendered.html; the form parser test checks they still agree).
 * Used to validate search params before any request and by the fake registry to render rows.
 * Court names and case categories are per-region / cascading lists loaded by the site on demand,
 * so they are not catalogued here: only their shape (numeric codes) is validated.
 */
/** [value, label] pairs in the site's order (a plain object would reorder numeric keys). */
export type Catalogue = ReadonlyArray<readonly [value: string, label: string]>;

export const catalogueValues = (catalogue: Catalogue): string[] => catalogue.map(([value]) => value);
export const catalogueHas = (catalogue: Catalogue, value: string): boolean =>
  catalogue.some(([known]) => known === value);
/** `1 (Перша), 2 (Апеляційна), …`: the codes with their names, for errors about a bad code. */
export const catalogueCodes = (catalogue: Catalogue): string =>
  catalogue.map(([value, label]) => `${value} (${label})`).join(', ');
export const catalogueLabel = (catalogue: Catalogue, value: string): string | undefined =>
  catalogue.find(([known]) => known === value)?.[1];

export const courtRegions: Catalogue = [
  ['2', 'Автономна Республіка Крим'],
  ['3', 'Вінницька область'],
  ['4', 'Волинська область'],
  ['5', 'Дніпропетровська область'],
  ['6', 'Донецька область'],
  ['7', 'Житомирська область'],
  ['8', 'Закарпатська область'],
  ['9', 'Запорізька область'],
  ['10', 'Івано-Франківська область'],
  ['11', 'Київська область'],
  ['12', 'Кіровоградська область'],
  ['13', 'Луганська область'],
  ['14', 'Львівська область'],
  ['15', 'Миколаївська область'],
  ['16', 'Одеська область'],
  ['17', 'Полтавська область'],
  ['18', 'Рівненська область'],
  ['19', 'Сумська область'],
  ['20', 'Тернопільська область'],
  ['21', 'Харківська область'],
  ['22', 'Херсонська область'],
  ['23', 'Хмельницька область'],
  ['24', 'Черкаська область'],
  ['25', 'Чернівецька область'],
  ['26', 'Чернігівська область'],
  ['27', 'м. Київ'],
  ['28', 'м. Севастополь'],
  ['29', 'ВС Центральний регіон'],
  ['30', 'ВС Західний регіон'],
  ['31', 'ВС Південний регіон'],
  ['32', 'ВС ВМС України'],
];

/** INSType */
export const instances: Catalogue = [
  ['1', 'Перша'],
  ['2', 'Апеляційна'],
  ['3', 'Касаційна'],
];

/** VRType */
export const decisionForms: Catalogue = [
  ['1', 'Вирок'],
  ['2', 'Постанова'],
  ['3', 'Рішення'],
  ['4', 'Судовий наказ'],
  ['5', 'Ухвала'],
  ['6', 'Окрема ухвала'],
  ['10', 'Окрема думка'],
  ['7', 'Додаткове рішення'],
];

/** CSType */
export const proceedingForms: Catalogue = [
  ['4', 'Адміністративне'],
  ['3', 'Господарське'],
  ['2', 'Кримінальне'],
  ['1', 'Цивільне'],
  ['5', 'Справи про адміністративні правопорушення'],
];

/** CaseCat1, the top of the cascading case categories. */
export const caseCategories: Catalogue = [
  ['3000', 'Адміністративні справи (до 01.01.2019)'],
  ['40000', 'Адміністративні справи (з 01.01.2019)'],
  ['4000', 'Господарські справи (до 01.01.2019)'],
  ['40181', 'Господарські справи (з 01.01.2019)'],
  ['2000', 'Кримінальні справи (до 01.01.2019)'],
  ['40438', 'Кримінальні справи (з 01.01.2019)'],
  ['41451', 'Окремі процесуальні питання'],
  ['5139', 'Справи про адмінправопорушення (до 01.01.2019)'],
  ['40933', 'Справи про адмінправопорушення (з 01.01.2019)'],
  ['1000', 'Цивільні справи (до 01.01.2019)'],
  ['40297', 'Цивільні справи (з 01.01.2019)'],
];

export const sideStatuses: Catalogue = [
  ['1', 'Фізична особа'],
  ['2', 'Державний орган, підприємство, установа, організація'],
  ['3', 'Юридична особа'],
];

export const sortOrders: Catalogue = [
  ['0', 'за релевантністю'],
  ['1', 'за датою ухвалення рішення | за спаданням'],
  ['2', 'за датою ухвалення рішення | за зростанням'],
];

export const itemsPerPage: Catalogue = [
  ['10', '10'],
  ['25', '25'],
  ['50', '50'],
  ['100', '100'],
];
export const ligaOptions: Catalogue = [
  ['true', 'так'],
  ['false', 'ні'],
];
export const linkProviders: Catalogue = [
  ['1', 'Ліга Закон'],
  ['4', 'Закон Онлайн'],
];

/** The site never shows more than this many results of one search. */
export const RESULT_CAP = 100_000;
