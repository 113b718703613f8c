// Text PostgreSQL cannot store: a NUL character (text and jsonb refuse it) or an unpaired UTF-16 surrogate
// (not Unicode; jsonb refuses the escape, text would silently get U+FFFD instead). Both arrive easily in JSON
// (`"\u0000"`, `"\ud800"`); the gate refuses them as bad input wherever they are (names, search expressions,
// messages) instead of failing in the database as an internal error.

export interface MalformedText {
  /** where in the value: keys and indexes from the root */
  path: (string | number)[];
  problem: string;
}

const NUL = '\u0000';
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Either of the two: what textProblem finds, in one test. */
const MALFORMED = new RegExp(`\\u0000|${UNPAIRED_SURROGATE.source}`);

/** The first string (or object key) in `value` that cannot be stored, or null. Iterative: any depth is fine. */
export function findMalformedText(value: unknown): MalformedText | null {
  // Nearly every value holds none: a first walk without a path per node says so (a batch of 50 completions' paths
  // were ~8 % of what the gate allocated per task, docs/benchmarks.md, session 13); the second finds where.
  return holdsMalformedText(value) ? locateMalformedText(value) : null;
}

function holdsMalformedText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (MALFORMED.test(v)) return true;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        if (MALFORMED.test(key)) return true;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

function locateMalformedText(value: unknown): MalformedText | null {
  const stack: Array<{ value: unknown; path: (string | number)[] }> = [{ value, path: [] }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path, problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] });
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        const problem = textProblem(key);
        if (problem) return { path: [...path, key], problem: `its name ${problem}` };
        stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return null;
}

export function textProblem(text: string): string | null {
  if (text.includes(NUL)) return 'contains a NUL character (U+0000)';
  if (UNPAIRED_SURROGATE.test(text)) return 'contains an unpaired surrogate (not valid Unicode)';
  return null;
}
