// Configures the Pothos builder and nothing else; types live in one module per domain type.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { DateTimeResolver, JSONResolver, SafeIntResolver } from 'graphql-scalars';
import { prisma } from '../db/database.ts';
import type { EventBus } from '../events/bus.ts';
import type { StatsFeed } from '../events/stats-feed.ts';
import type PrismaTypes from '../generated/pothos-prisma-types.ts';
import { getDatamodel } from '../generated/pothos-prisma-types.ts';
import type { Actor } from '../services/actor.ts';

export interface GateContext {
  /** null: no (valid) key was sent and authentication is on */
  actor: Actor | null;
  authEnabled: boolean;
  bus: EventBus;
  /** statsUpdated's shared computation */
  statsFeed: StatsFeed;
}

export const builder = new SchemaBuilder<{
  Context: GateContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { reader: boolean; admin: boolean };
  Scalars: {
    // GraphQL's ID parses every input (numbers included) to a string: say so once, no casts in resolvers.
    ID: { Input: string; Output: string | number | bigint };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    SafeInt: { Input: number; Output: number | bigint };
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
}>({
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
  prisma: {
    // A getter, not the value: the client is opened when the gate starts, after this module is loaded.
    client: () => prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    maxConnectionSize: 500,
    defaultConnectionSize: 50,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // The connection boilerplate, described once for every list that pages (tasks, documents, failed documents).
    pageInfoTypeOptions: {
      description: 'Where this page sits in the whole list, and the cursors to ask for the next.',
    },
    hasNextPageFieldOptions: { description: 'true when more rows follow this page: ask again with after: endCursor' },
    hasPreviousPageFieldOptions: {
      description: 'true when rows come before this page (only when paging with before/last)',
    },
    startCursorFieldOptions: { description: "the first row's cursor; null when the page is empty" },
    endCursorFieldOptions: {
      description: "the last row's cursor, to pass as after for the next page; null when the page is empty",
    },
    edgesFieldOptions: { description: 'the rows of this page, each with its cursor' },
    pageInfoFieldOptions: { description: 'whether more rows follow, and the cursors to page on' },
    cursorFieldOptions: { description: 'opaque position of this row: pass it as after (or before) to page from here' },
    nodeFieldOptions: { description: 'the row itself' },
  },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({ reader: ctx.actor !== null, admin: ctx.actor?.role === 'ADMIN' }),
    unauthorizedError: (_parent, ctx) =>
      ctx.actor
        ? new GraphQLError('this needs an admin key', { extensions: { code: 'FORBIDDEN' } })
        : new GraphQLError('API key required', { extensions: { code: 'UNAUTHENTICATED' } }),
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);
builder.addScalarType('SafeInt', SafeIntResolver);

builder.queryType({
  authScopes: { reader: true },
  description:
    'What the gate knows: tasks, workers, documents, plans, follows, statistics. Every query needs an API key (header x-api-key); a field that needs an admin key says so.',
});
builder.mutationType({
  description:
    'Changes: operators create and steer tasks, plans and follows (admin keys); workers claim tasks and report on them (worker keys, only for their own leases). A refused change is a GraphQL error with extensions.code (BAD_USER_INPUT, FORBIDDEN, LEASE_LOST, CONFLICT, …).',
});
builder.subscriptionType({
  authScopes: { reader: true },
  description:
    'Live updates over graphql-ws (the same /graphql path, ws://) or server-sent events; the key goes in connectionParams.apiKey. Any valid key may subscribe.',
});
