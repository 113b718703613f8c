// Ids: every id the gate takes (tasks, clients, plans, keys, lease tokens) is a UUID. PostgreSQL prints
// UUIDs in lower case, so ids are lower-cased on the way in and compare equal to what the gate hands out.
import { z } from 'zod';
import { badInput } from './errors.ts';

/** A UUID, lower-cased. The one id schema: services, REST bodies and GraphQL arguments all use it. */
export const idSchema = z
  .string()
  .uuid('must be a UUID')
  .transform((id) => id.toLowerCase());

/** The pattern idSchema's `.uuid()` tests (zod's own), for checks that ask without zod (completion-input.ts). */
const UUID = z.regexes.uuid();
/** What idSchema accepts (before lower-casing it), asked without zod. */
export const isId = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export function parseId(id: unknown, what = 'id'): string {
  const parsed = idSchema.safeParse(id);
  if (!parsed.success) throw badInput(`${what}: must be a UUID`, [{ path: [what], message: 'must be a UUID' }]);
  return parsed.data;
}
