// What a completion carries, checked, and the completion the statement takes from it (counters with their defaults,
// the body's fingerprint). A batch of completions is checked without zod where every item already is what the schema
// accepts: in the gate, where zod's parsers run every schema of the app, its pipes and transforms cost ~2.5 µs per
// completion (~5 % of the gate's CPU per task in batches of 50), the plain checks ~0.2.
import { hash } from 'node:crypto';
import { z } from 'zod';
import type { Completion } from '../db/sql/complete-task.ts';
import { orDefault, parseInput } from './errors.ts';
import { idSchema, isId } from './ids.ts';
import { MAX_CLAIM_BATCH } from './task-input.ts';

/** the most a lease's counter may say */
const MAX_COUNT = 10_000_000;
export const count = z.number().int().min(0).max(MAX_COUNT);
export const countOr0 = orDefault(count, 0);
/** What `count` accepts (a safe integer in its range), asked without zod. */
const isCount = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_COUNT;
/** What `countOr0` accepts: a count, null or absent. */
const isCountOr0 = (value: unknown) => value == null || isCount(value);

export const completionInput = z.object({
  taskId: idSchema,
  leaseToken: idSchema,
  documentsDownloaded: count,
  documentsFailed: countOr0,
  documentsSkipped: countOr0,
  resultSummary: z.unknown().optional(),
});
export const heldCompletionInput = completionInput.omit({ leaseToken: true });
const completionsInput = z.array(completionInput).min(1).max(MAX_CLAIM_BATCH);

/**
 * Fingerprints of recent short bodies: most completions say the same few counters without a summary, and a sha256
 * call cost ~0.6 µs per completion (~2 % of the gate's CPU per task in batches of 50), a lookup ~0.05. Bounded: the
 * map starts again when full, and a long body (a summary) is not kept.
 */
const recentHashes = new Map<string, string>();
const RECENT_HASHES = 1024;
const SHORT_BODY = 100;

/** Fingerprint of a completion's body: a repeat with the same token and fingerprint is answered again. */
export function completionHashOf(c: {
  documentsDownloaded: number;
  documentsFailed: number;
  documentsSkipped: number;
  resultSummary?: unknown;
}) {
  const body = JSON.stringify([c.documentsDownloaded, c.documentsFailed, c.documentsSkipped, c.resultSummary ?? null]);
  let fingerprint = recentHashes.get(body);
  if (fingerprint === undefined) {
    fingerprint = hash('sha256', body, 'hex'); // one call, no Hash object per completion
    if (body.length <= SHORT_BODY) {
      if (recentHashes.size >= RECENT_HASHES) recentHashes.clear();
      recentHashes.set(body, fingerprint);
    }
  }
  return fingerprint;
}

/**
 * The completion the statement takes: `c` (a completion with its token, or one for the holder without) with its
 * summary's default and its fingerprint. A literal, field by field: a spread of zod's output object cost ~2 µs (a
 * batch of 50: ~100 µs), the literal ~20 ns.
 */
export function toCompletion<C extends z.output<typeof heldCompletionInput> & { leaseToken?: string }>(
  c: C,
): C & Pick<Completion, 'resultSummary' | 'completionHash'> {
  const completion = {
    taskId: c.taskId,
    leaseToken: c.leaseToken,
    documentsDownloaded: c.documentsDownloaded,
    documentsFailed: c.documentsFailed,
    documentsSkipped: c.documentsSkipped,
    resultSummary: c.resultSummary ?? null,
    completionHash: completionHashOf(c),
  };
  return completion as C & typeof completion; // every field of either input schema
}

/** One completion with its token, checked (BAD_USER_INPUT naming the field), as the statement takes it. */
export function parseCompletion(input: unknown): Completion {
  return accepted(input) ?? toCompletion(parseInput(completionInput, input));
}

/** A batch of completions with their tokens (1..MAX_CLAIM_BATCH), checked as one, as the statement takes them. */
export function parseCompletions(inputs: unknown): Completion[] {
  if (Array.isArray(inputs) && inputs.length >= 1 && inputs.length <= MAX_CLAIM_BATCH) {
    const completions: Completion[] = [];
    for (const input of inputs) {
      const completion = accepted(input);
      if (!completion) break;
      completions.push(completion);
    }
    if (completions.length === inputs.length) return completions;
  }
  // something the plain checks do not accept: the schema decides, and words the error
  return parseInput(completionsInput, inputs).map(toCompletion);
}

/**
 * `input` as the statement takes it when completionInput accepts it as it is — ids that are UUIDs, counters in range or
 * (the two optional ones) null or absent — with what the schema's output would carry (ids lower-cased, the optional
 * counters' default); null for anything else, which the schema then decides (test/gate/completion-input.test.ts holds
 * the two to the same answers).
 */
function accepted(input: unknown): Completion | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const c = input as Record<string, unknown>;
  const { taskId, leaseToken, documentsDownloaded, documentsFailed, documentsSkipped } = c;
  if (!isId(taskId) || !isId(leaseToken) || !isCount(documentsDownloaded)) return null;
  if (!isCountOr0(documentsFailed) || !isCountOr0(documentsSkipped)) return null;
  return toCompletion({
    taskId: taskId.toLowerCase(),
    leaseToken: leaseToken.toLowerCase(),
    documentsDownloaded,
    documentsFailed: (documentsFailed as number | null | undefined) ?? 0,
    documentsSkipped: (documentsSkipped as number | null | undefined) ?? 0,
    resultSummary: c.resultSummary,
  });
}
