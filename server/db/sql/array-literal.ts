// A statement parameter that is an array of strings, numbers and nulls, sent as PostgreSQL's text form of the
// array (`{"a","b",NULL}`), which is what the drivers send for a JS array anyway: pg's prepareValue (and PGlite's
// serializer) build it element by element with two regular-expression replaces each — a completion batch of 50 has
// 400 elements, ~9 % of what the gate allocated per task (docs/benchmarks.md, session 13). Here an element is
// escaped only when it holds a quote or a backslash, and the text is joined once. Both drivers send a string as it is.

const NEEDS_ESCAPE = /["\\]/;

/** The text pg's prepareValue writes for `values` (a one-dimensional array), the same character for character. */
export function arrayLiteral(values: ReadonlyArray<string | number | null | undefined>): string {
  const elements = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value == null) elements[i] = 'NULL';
    else if (typeof value === 'number') elements[i] = `"${value}"`;
    else if (NEEDS_ESCAPE.test(value)) elements[i] = `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    else elements[i] = `"${value}"`;
  }
  return `{${elements.join(',')}}`;
}
