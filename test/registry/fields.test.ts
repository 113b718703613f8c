import { describe, expect, it } from 'vitest';
import {
  InvalidSearchParamsError,
  decodeSearchForm,
  encodeSearchForm,
  validateSearchParams,
} from '../../client/rules/search-fields.ts';
import { isRegistryError } from '../../client/rules/registry-error.ts';

function issuesOf(params: unknown) {
  try {
    validateSearchParams(params);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSearchParamsError);
    expect(isRegistryError(error, 'PARSE')).toBe(true);
    return (error as InvalidSearchParamsError).issues;
  }
  throw new Error('expected the params to be rejected');
}

describe('validateSearchParams', () => {
  it('normalises single values and lists, numbers, ISO dates and bracketed names', () => {
    expect(
      validateSearchParams({
        CourtRegion: 11,
        'INSType[]': ['1', '2', '1'],
        RegDateBegin: '2020-01-01',
        RegDateEnd: '31.01.2020',
        SearchExpression: '  позов ',
        'PagingInfo.ItemsPerPage': 100,
        Liga: false,
        CaseNumber: '',
      }),
    ).toEqual({
      SearchExpression: 'позов',
      CourtRegion: ['11'],
      INSType: ['1', '2'],
      RegDateBegin: '01.01.2020',
      RegDateEnd: '31.01.2020',
      'PagingInfo.ItemsPerPage': '100',
      Liga: 'false',
    });
  });

  it('rejects an unknown field, naming it', () => {
    const issues = issuesOf({ CourtRegon: '11' });
    expect(issues).toHaveLength(1);
    expect(issues[0].field).toBe('CourtRegon');
    expect(issues[0].message).toMatch(/^unknown search field \(known: SearchExpression, CourtRegion, /);
  });

  it('rejects bad dates, reversed windows and values outside the catalogues, all at once', () => {
    const issues = issuesOf({
      RegDateBegin: '31.02.2020',
      ImportDateBegin: '02.01.2020',
      ImportDateEnd: '01.01.2020',
      INSType: ['1', '4'],
      Sort: 5,
      CourtName: 'abc',
    });
    // In form order: CourtName, INSType, RegDateBegin, Sort.
    expect(issues).toEqual([
      { field: 'CourtName', message: '"abc" is not a numeric code' },
      { field: 'INSType', message: '"4" is not one of 1 (Перша), 2 (Апеляційна), 3 (Касаційна)' },
      { field: 'RegDateBegin', message: '"31.02.2020" is not a valid date (DD.MM.YYYY or YYYY-MM-DD)' },
      {
        field: 'Sort',
        message:
          '"5" is not one of 0 (за релевантністю), 1 (за датою ухвалення рішення | за спаданням), 2 (за датою ухвалення рішення | за зростанням)',
      },
    ]);
    expect(issuesOf({ ImportDateBegin: '02.01.2020', ImportDateEnd: '01.01.2020' })).toEqual([
      { field: 'ImportDateEnd', message: '01.01.2020 is before ImportDateBegin 02.01.2020' },
    ]);
  });

  it('rejects non-objects and nested values', () => {
    expect(issuesOf(null)[0].field).toBe('(params)');
    expect(issuesOf({ CourtRegion: { a: 1 } })).toEqual([
      { field: 'CourtRegion', message: 'must be a string, number, boolean or a list of them' },
    ]);
  });
});

describe('search form encoding', () => {
  const params = validateSearchParams({ CourtRegion: ['11', '14'], INSType: 1, RegDateBegin: '01.01.2020' });

  it('serialises every field in form order like a browser, with either multi-select naming', () => {
    const plain = encodeSearchForm(params).toString();
    expect(plain).toBe(
      'SearchExpression=&CourtRegion=11&CourtRegion=14&UserCourtCode=&INSType=1&ChairmenName=&RegNumber=&RegDateBegin=01.01.2020&RegDateEnd=' +
        '&ImportDateBegin=&ImportDateEnd=&CaseNumber=&Sort=0&PagingInfo.ItemsPerPage=25&Liga=true&ProviderItem=1',
    );
    expect(encodeSearchForm(params, 'brackets').getAll('CourtRegion[]')).toEqual(['11', '14']);
  });

  it('decodes both namings back to the same params', () => {
    const expected = { ...params, Sort: '0', 'PagingInfo.ItemsPerPage': '25', Liga: 'true', ProviderItem: '1' };
    expect(decodeSearchForm(encodeSearchForm(params, 'plain'))).toEqual(expected);
    expect(decodeSearchForm(encodeSearchForm(params, 'brackets'))).toEqual(expected);
  });
});
