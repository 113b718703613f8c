// API keys: admins create (the key is shown once), list and revoke them. Hashes never leave the gate.
import { prisma } from '../db/database.ts';
import * as apiKeys from '../services/api-keys.ts';
import { builder } from './builder.ts';
import { RoleEnum } from './enums.ts';

const ApiKeyRef = builder.prismaObject('ApiKey', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.expose('role', { type: RoleEnum }),
    prefix: t.exposeString('prefix', { description: 'the first characters of the key, to recognise it' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedApiKey = builder.objectRef<Awaited<ReturnType<typeof apiKeys.createApiKey>>>('CreatedApiKey').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, resolve: (c) => c.apiKey }),
    key: t.exposeString('key', { description: 'the key itself: shown this once, store it now' }),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.prismaField({
    type: ['ApiKey'],
    authScopes: { admin: true },
    resolve: (query) => prisma.apiKey.findMany({ ...query, orderBy: { createdAt: 'asc' } }),
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreatedApiKey,
    authScopes: { admin: true },
    args: {
      input: t.arg({
        type: builder.inputType('CreateApiKeyInput', {
          fields: (f) => ({
            name: f.string(),
            role: f.field({ type: RoleEnum, required: false, description: 'default WORKER' }),
          }),
        }),
      }),
    },
    resolve: (_p, { input }, ctx) =>
      apiKeys.createApiKey(ctx.actor, { name: input.name, role: input.role ?? undefined }),
  }),
  revokeApiKey: t.field({
    type: ApiKeyRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: builder.inputType('RevokeApiKeyInput', { fields: (f) => ({ id: f.id() }) }) }) },
    resolve: (_p, { input }, ctx) => apiKeys.revokeApiKey(ctx.actor, input.id),
  }),
}));
