// idsByPrefix: the full ids that start with the short form people see (the CLI's `tasks cancel 3f2a9c1e`).
import { ID_KINDS, idsByPrefix } from '../services/id-prefixes.ts';
import { builder } from './builder.ts';

const IdKindEnum = builder.enumType('IdKind', {
  description: 'What an id names, for idsByPrefix.',
  values: ID_KINDS,
});

builder.queryFields((t) => ({
  idsByPrefix: t.idList({
    description:
      'Ids of this kind that start with `prefix` (4 to 32 hex digits, hyphens ignored), at most 10, in id order: ' +
      'one means the prefix is unique, several that it is ambiguous. API keys need an admin key.',
    args: { kind: t.arg({ type: IdKindEnum, required: true }), prefix: t.arg.string({ required: true }) },
    resolve: (_root, { kind, prefix }, ctx) => idsByPrefix(ctx.actor, kind, prefix),
  }),
}));
