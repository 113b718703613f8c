// API keys: admins create (the key is shown once), list and revoke them. Hashes never leave the gate.
import { prisma } from '../db/database.ts';
import * as apiKeys from '../services/api-keys.ts';
import { builder } from './builder.ts';
import { RoleEnum } from './enums.ts';

const ApiKeyRef = builder.prismaObject('ApiKey', {
  description:
    'An API key as admins see it (never the key itself: the gate keeps only its hash). Only admin keys may list, create or revoke keys.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "the key's id (a UUID), used to revoke it; not the secret" }),
    name: t.exposeString('name', { description: 'what the key is for, as its creator named it, e.g. "worker kyiv-1"' }),
    role: t.expose('role', { type: RoleEnum, description: 'what the key may do' }),
    prefix: t.exposeString('prefix', { description: 'the first characters of the key, to recognise it' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it was created' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'when a request last came with it (updated at most once a minute); null: never used',
    }),
    revokedAt: t.expose('revokedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'when it was revoked (requests with it are refused since); null: still valid',
    }),
  }),
});

const CreatedApiKey = builder.objectRef<Awaited<ReturnType<typeof apiKeys.createApiKey>>>('CreatedApiKey').implement({
  description: 'A key just created: its record and, this one time, the key itself.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, description: 'its record, as apiKeys lists it', resolve: (c) => c.apiKey }),
    key: t.exposeString('key', { description: 'the key itself: shown this once, store it now' }),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.prismaField({
    type: ['ApiKey'],
    description: 'Every API key, revoked ones included, oldest first. Admin keys only.',
    authScopes: { admin: true },
    resolve: (query) => prisma.apiKey.findMany({ ...query, orderBy: { createdAt: 'asc' } }),
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreatedApiKey,
    description:
      'Creates a key; the answer holds the key itself, shown this once (the gate keeps only its hash). Admin keys only.',
    authScopes: { admin: true },
    args: {
      input: t.arg({
        type: builder.inputType('CreateApiKeyInput', {
          description: 'A new key: what it is for and what it may do.',
          fields: (f) => ({
            name: f.string({ description: 'what the key is for, e.g. "worker kyiv-1" (shown in lists, not secret)' }),
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
    description:
      "Revokes a key at once: requests with it are refused from now on. Answers the key's record with revokedAt set. Admin keys only.",
    authScopes: { admin: true },
    args: {
      input: t.arg({
        type: builder.inputType('RevokeApiKeyInput', {
          description: 'The key to revoke.',
          fields: (f) => ({ id: f.id({ description: "the key's id (ApiKey.id), not the key itself" }) }),
        }),
      }),
    },
    resolve: (_p, { input }, ctx) => apiKeys.revokeApiKey(ctx.actor, input.id),
  }),
}));
