// Validation of what callers send about tasks. Search params are checked against the registry's own
// form (the registry library's field list), so a task that could never run is refused at creation.
import { z } from 'zod';
import {
  DEFAULT_DOCUMENTS_PER_TASK,
  InvalidSearchParamsError,
  MAX_DOCUMENTS_PER_TASK,
  validateSearchParams,
  type SearchParams,
} from '../../client/rules/index.ts';
import { badInput, orDefault, parseInput } from './errors.ts';
import { idSchema } from './ids.ts';
import { policy } from './policy.ts';

export { DEFAULT_DOCUMENTS_PER_TASK, MAX_DOCUMENTS_PER_TASK };
export const MAX_TASKS_PER_REQUEST = 10_000;
export const MAX_CLAIM_BATCH = 500;

export const newTaskSchema = z.object({
  searchParams: z.unknown().optional(),
  startPage: orDefault(z.number().int().min(1).max(100_000), 1),
  maxDocuments: orDefault(z.number().int().min(1).max(MAX_DOCUMENTS_PER_TASK), DEFAULT_DOCUMENTS_PER_TASK),
  priority: orDefault(z.number().int().min(-1000).max(1000), 0),
  runAt: z.date().nullish(),
  maxAttempts: z.number().int().min(1).max(100).nullish(),
  kind: orDefault(z.enum(['DOWNLOAD', 'PLAN']), 'DOWNLOAD'),
  dedupKey: z.string().min(1).max(500).nullish(),
  parentId: idSchema.nullish(),
});
export type NewTaskInput = z.input<typeof newTaskSchema>;

export function parseNewTasks(inputs: unknown[]) {
  if (inputs.length === 0) throw badInput('tasks: give at least one task');
  if (inputs.length > MAX_TASKS_PER_REQUEST) throw badInput(`tasks: at most ${MAX_TASKS_PER_REQUEST} per request`);
  return inputs.map((input, index) => {
    const task = parseInput(newTaskSchema, input);
    return {
      kind: task.kind,
      searchParams: searchParamsOf(task.searchParams, inputs.length > 1 ? index : undefined),
      startPage: task.startPage,
      maxDocuments: task.maxDocuments,
      priority: task.priority,
      runAt: task.runAt ? task.runAt.toISOString() : null,
      maxAttempts: task.maxAttempts ?? policy.maxAttempts,
      dedupKey: task.dedupKey ?? null,
      parentId: task.parentId ?? null,
    };
  });
}

export function searchParamsOf(params: unknown, index?: number): SearchParams {
  try {
    return validateSearchParams(params);
  } catch (error) {
    if (error instanceof InvalidSearchParamsError) {
      const prefix = index === undefined ? 'searchParams' : `tasks.${index}.searchParams`;
      throw badInput(
        `${prefix}: ${error.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
        error.issues.map((i) => ({ path: ['searchParams', i.field], message: i.message })),
      );
    }
    throw error;
  }
}

export function parseIds(ids: unknown): string[] {
  return parseInput(z.array(idSchema).min(1).max(MAX_TASKS_PER_REQUEST), ids);
}
