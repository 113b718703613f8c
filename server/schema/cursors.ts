// Connection cursors are opaque strings that Pothos encodes: base64 of `GPC:S:<id>` for our id cursors. One that
// decodes to anything else (`R1BDOlM6eA==` is `GPC:S:x`) would reach the database as a malformed UUID and fail
// there as an internal error; it is the caller's bad input, so it is refused as such first.
import { GraphQLError } from 'graphql';
import { idSchema } from '../services/ids.ts';

const ID_CURSOR = /^GPC:S:(.*)$/s;

/** Throws BAD_USER_INPUT unless `after` and `before` (when given) are cursors this gate handed out. */
export function checkIdCursors(args: { after?: string | null; before?: string | null }): void {
  for (const cursor of [args.after, args.before]) {
    if (cursor == null) continue;
    const id = ID_CURSOR.exec(Buffer.from(cursor, 'base64').toString('utf8'))?.[1];
    if (id === undefined || !idSchema.safeParse(id).success) {
      throw new GraphQLError(`Invalid cursor: ${cursor.slice(0, 100)}`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
  }
}
