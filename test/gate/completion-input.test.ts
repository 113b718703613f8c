// Completions checked without zod (server/services/completion-input.ts) get the schema's own answer: the same
// completion for what it accepts, the same BAD_USER_INPUT (message and issues) for what it refuses.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  completionHashOf,
  completionInput,
  parseCompletion,
  parseCompletions,
  toCompletion,
} from '../../server/services/completion-input.ts';
import { parseInput } from '../../server/services/errors.ts';
import { MAX_CLAIM_BATCH } from '../../server/services/task-input.ts';

const id = '0b6e3f1c-7a0d-4c5e-9f1a-2b3c4d5e6f70';
const token = '5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const valid = { taskId: id, leaseToken: token, documentsDownloaded: 3 };

/** What the schema alone answers: the completion, or the error's code, message and issues. */
function bySchema(input: unknown) {
  try {
    return toCompletion(parseInput(completionInput, input));
  } catch (error) {
    return answerOf(error);
  }
}
function answerOf(error: unknown) {
  const e = error as { code?: string; message: string; details?: unknown };
  return { code: e.code, message: e.message, details: e.details };
}
function byParse(parse: () => unknown) {
  try {
    return parse();
  } catch (error) {
    return answerOf(error);
  }
}

const inputs: Array<[string, unknown]> = [
  ['the fields a worker sends', valid],
  ['upper-case ids', { ...valid, taskId: id.toUpperCase(), leaseToken: token.toUpperCase() }],
  ['the nil UUID', { ...valid, taskId: '00000000-0000-0000-0000-000000000000' }],
  ['the max UUID', { ...valid, leaseToken: 'ffffffff-ffff-ffff-ffff-ffffffffffff' }],
  ['every counter', { ...valid, documentsFailed: 2, documentsSkipped: 10_000_000 }],
  ['null counters', { ...valid, documentsFailed: null, documentsSkipped: null }],
  ['zero and minus zero', { ...valid, documentsDownloaded: 0, documentsFailed: -0 }],
  ['a summary', { ...valid, resultSummary: { total: 120, pages: [1, 2] } }],
  ['a null summary', { ...valid, resultSummary: null }],
  ['an undefined summary', { ...valid, resultSummary: undefined }],
  ['a summary that is a string', { ...valid, resultSummary: 'done' }],
  ['unknown fields', { ...valid, holderId: id, extra: 1 }],
  ['a null-prototype object (GraphQL coercion)', Object.assign(Object.create(null), valid)],
  ['a malformed task id', { ...valid, taskId: 'not-a-uuid' }],
  ['a UUID of version 0', { ...valid, taskId: '0b6e3f1c-7a0d-0c5e-9f1a-2b3c4d5e6f70' }],
  ['a UUID of the wrong variant', { ...valid, leaseToken: '5d1e2f3a-4b5c-4d6e-cf70-8192a3b4c5d6' }],
  ['a UUID with spaces', { ...valid, leaseToken: ` ${token}` }],
  ['a number as id', { ...valid, taskId: 12 }],
  ['no token', { taskId: id, documentsDownloaded: 1 }],
  ['no downloaded count', { taskId: id, leaseToken: token }],
  ['a null downloaded count', { ...valid, documentsDownloaded: null }],
  ['a negative count', { ...valid, documentsDownloaded: -1 }],
  ['a count past the maximum', { ...valid, documentsSkipped: 10_000_001 }],
  ['a fraction', { ...valid, documentsFailed: 1.5 }],
  ['NaN', { ...valid, documentsDownloaded: Number.NaN }],
  ['Infinity', { ...valid, documentsDownloaded: Number.POSITIVE_INFINITY }],
  ['an unsafe integer', { ...valid, documentsDownloaded: 2 ** 53 }],
  ['a count as text', { ...valid, documentsDownloaded: '3' }],
  ['null', null],
  ['a number', 7],
  ['an array', [valid]],
];

describe('completions checked without zod', () => {
  it.each(inputs)('one completion: %s', (_name, input) => {
    expect(byParse(() => parseCompletion(input))).toEqual(bySchema(input));
  });

  it.each(inputs)('a batch with %s among valid ones', (_name, input) => {
    const batch = [valid, input, { ...valid, taskId: id.toUpperCase() }];
    const schemaAnswer = byParse(() => parseInput(completionInput.array().min(1).max(MAX_CLAIM_BATCH), batch));
    const expected = Array.isArray(schemaAnswer) ? schemaAnswer.map(toCompletion) : schemaAnswer;
    expect(byParse(() => parseCompletions(batch))).toEqual(expected);
  });

  it.each([
    ['no completions', []],
    ['too many completions', Array.from({ length: MAX_CLAIM_BATCH + 1 }, () => valid)],
    ['the most completions', Array.from({ length: MAX_CLAIM_BATCH }, () => valid)],
    ['not a list', valid],
  ])('%s', (_name, batch) => {
    const schemaAnswer = byParse(() => parseInput(completionInput.array().min(1).max(MAX_CLAIM_BATCH), batch));
    const expected = Array.isArray(schemaAnswer) ? schemaAnswer.map(toCompletion) : schemaAnswer;
    expect(byParse(() => parseCompletions(batch))).toEqual(expected);
  });
});

describe('completionHashOf', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  it('is the sha256 of the counters and summary, the first time and when remembered', () => {
    const counters = { documentsDownloaded: 7, documentsFailed: 1, documentsSkipped: 0 };
    for (let i = 0; i < 2; i++) expect(completionHashOf(counters)).toBe(sha256('[7,1,0,null]'));
    const long = { ...counters, resultSummary: { note: 'x'.repeat(200) } };
    for (let i = 0; i < 2; i++)
      expect(completionHashOf(long)).toBe(sha256(JSON.stringify([7, 1, 0, long.resultSummary])));
  });
  it('keeps answering right past the most it remembers', () => {
    for (let n = 0; n < 2100; n++) {
      const counters = { documentsDownloaded: n, documentsFailed: 0, documentsSkipped: 0 };
      expect(completionHashOf(counters)).toBe(sha256(`[${n},0,0,null]`));
    }
  });
});
