// Array parameters sent as their text (server/db/sql/array-literal.ts) are the text pg itself sends for the array.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { arrayLiteral } from '../../server/db/sql/array-literal.ts';

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue: (value: unknown) => string;
};

describe('array parameters as text', () => {
  it.each([
    [[]],
    [['0190f1c2-7a3b-7c4d-8e5f-0123456789ab', '0190F1C2-7A3B-7C4D-8E5F-0123456789AB']],
    [[0, 1, -7, 10_000_000, 2.5]],
    [[null, undefined, null]],
    [['{"a":1,"quoted":"x\\"y\\\\z{},"}', '"plain \\"string\\""', '5', null, '[1,{"b":null}]']],
    [['', ' ', ',', '{}', 'NULL', 'null', 'a\\', '\\"', 'тест', '😀', 'tab\there', 'new\nline']],
    [['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', null]],
  ])('%j', (values) => {
    expect(arrayLiteral(values)).toBe(prepareValue(values));
  });
});
