// The pure plan rules: windows, halves, field splits, chunks, gaps, dedup keys.
import { describe, expect, it } from 'vitest';
import {
  decideWindow,
  halves,
  normalisePlanRequest,
  pageRange,
  rootTasks,
  windowParams,
  windowsOf,
  type PlanOptions,
} from '../../client/rules/index.ts';

const options: PlanOptions = { chunkSize: 100, pageBudget: null, splitFields: ['VRType'] };
const day = windowParams({ CourtRegion: ['11'] }, { from: '2024-05-15', to: '2024-05-15' });

describe('windows', () => {
  it('cuts a range into calendar windows, partial at the ends', () => {
    expect(windowsOf('2024-01-15', '2024-03-10', 'month')).toEqual([
      { from: '2024-01-15', to: '2024-01-31' },
      { from: '2024-02-01', to: '2024-02-29' },
      { from: '2024-03-01', to: '2024-03-10' },
    ]);
    expect(windowsOf('2024-01-01', '2024-01-14', 'week')).toEqual([
      { from: '2024-01-01', to: '2024-01-07' },
      { from: '2024-01-08', to: '2024-01-14' },
    ]);
    expect(windowsOf('2023-12-30', '2024-01-02', 'year')).toHaveLength(2);
    expect(windowsOf('2024-01-01', '2024-01-03', 'day')).toHaveLength(3);
    expect(windowsOf('2024-01-01', '2024-12-31', null)).toEqual([{ from: '2024-01-01', to: '2024-12-31' }]);
  });

  it('halves a window with the extra day first', () => {
    expect(halves({ from: '2024-03-01', to: '2024-03-31' })).toEqual([
      { from: '2024-03-01', to: '2024-03-16' },
      { from: '2024-03-17', to: '2024-03-31' },
    ]);
  });

  it('normalises a request and refuses what the plan sets itself', () => {
    const request = normalisePlanRequest({
      searchParams: { CourtRegion: '11', INSType: 1 },
      from: '01.01.2024',
      to: '2024-12-31',
      window: 'MONTH',
    });
    expect(request).toEqual({
      searchParams: { CourtRegion: ['11'], INSType: ['1'] },
      from: '2024-01-01',
      to: '2024-12-31',
      window: 'month',
      options: { chunkSize: 100, pageBudget: null, splitFields: ['VRType', 'CSType'] },
    });
    expect(rootTasks(request)).toHaveLength(12);
    expect(rootTasks(request)[1].searchParams).toMatchObject({
      RegDateBegin: '01.02.2024',
      RegDateEnd: '29.02.2024',
      Sort: '2',
    });
    expect(() =>
      normalisePlanRequest({ searchParams: { RegDateBegin: '01.01.2024' }, from: '01.01.2024', to: '02.01.2024' }),
    ).toThrow(/RegDateBegin: is set by the plan/);
    expect(() =>
      normalisePlanRequest({ searchParams: {}, from: '01.01.2024', to: '02.01.2024', chunkSize: 30 }),
    ).toThrow(/chunkSize: must be a multiple of the 25/);
    expect(() => normalisePlanRequest({ searchParams: {}, from: '2024-02-01', to: '2024-01-01' })).toThrow(
      /to: 2024-01-01 is before/,
    );
    expect(() =>
      normalisePlanRequest({ searchParams: {}, from: '2024-01-01', to: '2024-01-02', splitFields: ['SideStatus'] }),
    ).toThrow(/cannot split a day/);
  });
});

describe('decideWindow', () => {
  it('chunks a window under the cap into non-overlapping page ranges covering the total', () => {
    const d = decideWindow({ searchParams: day, total: 1234, options });
    expect(d.outcome).toBe('CHUNKS');
    expect(d.children.map((c) => pageRange(c, 25))).toEqual([
      [1, 4],
      [5, 8],
      [9, 12],
      [13, 16],
      [17, 20],
      [21, 24],
      [25, 28],
      [29, 32],
      [33, 36],
      [37, 40],
      [41, 44],
      [45, 48],
      [49, 50],
    ]);
    expect(d.children.reduce((sum, c) => sum + c.maxDocuments, 0)).toBe(1234);
    expect(new Set(d.children.map((c) => c.dedupKey)).size).toBe(13);
    expect(decideWindow({ searchParams: day, total: 0, options }).children).toEqual([]);
  });

  it('halves a longer window over the cap or over the page budget', () => {
    const month = windowParams({ CourtRegion: ['11'] }, { from: '2024-03-01', to: '2024-03-31' });
    const over = decideWindow({ searchParams: month, total: 100_001, options });
    expect(over.outcome).toBe('SPLIT_WINDOW');
    expect(over.children.map((c) => [c.kind, c.searchParams.RegDateBegin, c.searchParams.RegDateEnd])).toEqual([
      ['PLAN', '01.03.2024', '16.03.2024'],
      ['PLAN', '17.03.2024', '31.03.2024'],
    ]);
    expect(decideWindow({ searchParams: month, total: 100_000, options }).outcome).toBe('CHUNKS');
    expect(decideWindow({ searchParams: month, total: 1001, options: { ...options, pageBudget: 40 } }).outcome).toBe(
      'SPLIT_WINDOW',
    );
  });

  it('splits a day over the cap by the next field, then reports a gap', () => {
    const split = decideWindow({ searchParams: day, total: 250_000, options });
    expect(split).toMatchObject({ outcome: 'SPLIT_FIELD', splitField: 'VRType' });
    expect(split.children.map((c) => c.searchParams.VRType)).toEqual([
      ['1'],
      ['2'],
      ['3'],
      ['4'],
      ['5'],
      ['6'],
      ['10'],
      ['7'],
    ]);
    expect(decideWindow({ searchParams: split.children[4].searchParams, total: 150_000, options })).toMatchObject({
      outcome: 'GAP',
      children: [],
      planned: 0,
    });
    // a list the operator gave is split into its own values only
    const listed = decideWindow({ searchParams: { ...day, VRType: ['1', '5'] }, total: 250_000, options });
    expect(listed.children.map((c) => c.searchParams.VRType)).toEqual([['1'], ['5']]);
  });
});
