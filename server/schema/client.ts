// Client (a worker): the object, queries, registration, enabling/disabling, live updates.
import { prisma } from '../db/database.ts';
import { filter, releasable } from '../events/streams.ts';
import * as clients from '../services/clients.ts';
import { parseId } from '../services/ids.ts';
import { builder } from './builder.ts';
import { ClientStatusEnum, RoleEnum } from './enums.ts';

export const ClientRef = builder.prismaObject('Client', {
  description: 'A worker that claims and runs tasks.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    host: t.exposeString('host', { nullable: true }),
    version: t.exposeString('version', { nullable: true }),
    status: t.expose('status', { type: ClientStatusEnum }),
    lastHeartbeatAt: t.expose('lastHeartbeatAt', { type: 'DateTime' }),
    tasksCompleted: t.exposeInt('tasksCompleted'),
    tasksFailed: t.exposeInt('tasksFailed'),
    documentsDownloaded: t.exposeInt('documentsDownloaded'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    currentTasks: t.relation('leasedTasks', {
      description: 'tasks this worker holds a lease on now',
      query: { where: { status: { in: ['CLAIMED', 'RUNNING'] } }, orderBy: { claimedAt: 'asc' } },
    }),
  }),
});

const Me = builder.objectRef<{ role: string; keyId: string | null; authEnabled: boolean }>('Me').implement({
  description: 'The caller, as the gate sees its key.',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, resolve: (m) => m.role as 'ADMIN' | 'WORKER' }),
    keyId: t.exposeID('keyId', { nullable: true }),
    authEnabled: t.exposeBoolean('authEnabled'),
    clients: t.prismaField({
      type: ['Client'],
      description: 'workers registered with this key',
      resolve: (query, m) =>
        prisma.client.findMany({ ...query, where: { apiKeyId: m.keyId }, orderBy: { lastHeartbeatAt: 'desc' } }),
    }),
  }),
});

builder.queryFields((t) => ({
  clients: t.prismaField({
    type: ['Client'],
    args: { status: t.arg({ type: ClientStatusEnum, required: false }) },
    resolve: (query, _p, args) =>
      prisma.client.findMany({
        ...query,
        where: args.status ? { status: args.status } : {},
        orderBy: { lastHeartbeatAt: 'desc' },
      }),
  }),
  client: t.prismaField({
    type: 'Client',
    nullable: true,
    args: { id: t.arg.id() },
    resolve: (query, _p, args) => prisma.client.findUnique({ ...query, where: { id: parseId(args.id) } }),
  }),
  me: t.field({
    type: Me,
    resolve: (_p, _a, ctx) => ({ role: ctx.actor!.role, keyId: ctx.actor!.keyId, authEnabled: ctx.authEnabled }),
  }),
}));

builder.mutationFields((t) => ({
  registerClient: t.prismaField({
    type: 'Client',
    authScopes: { reader: true },
    description: 'Registers this worker (or re-registers it, with clientId or the same name and key).',
    args: {
      input: t.arg({
        type: builder.inputType('RegisterClientInput', {
          fields: (f) => ({
            name: f.string(),
            host: f.string({ required: false }),
            version: f.string({ required: false }),
            clientId: f.id({ required: false }),
          }),
        }),
      }),
    },
    resolve: (_q, _p, { input }, ctx) => clients.registerClient(ctx.actor, input),
  }),
  unregisterClient: t.prismaField({
    type: 'Client',
    authScopes: { reader: true },
    description:
      'A worker stopping cleanly says goodbye: it is shown STOPPED at once (a killed one turns INACTIVE when its ' +
      'heartbeat is CLIENT_INACTIVE_SECONDS old). Registering or a heartbeat makes it ACTIVE again.',
    args: { id: t.arg.id({ description: 'the client (worker) that stops' }) },
    resolve: (_q, _p, { id }, ctx) => clients.unregisterClient(ctx.actor, String(id)),
  }),
  setClientStatus: t.prismaField({
    type: 'Client',
    authScopes: { admin: true },
    description: 'DISABLED workers can no longer claim; ACTIVE enables them again.',
    args: {
      input: t.arg({
        type: builder.inputType('SetClientStatusInput', {
          fields: (f) => ({ id: f.id(), status: f.field({ type: ClientStatusEnum }) }),
        }),
      }),
    },
    resolve: (_q, _p, { input }, ctx) => clients.setClientStatus(ctx.actor, input.id, input.status),
  }),
}));

builder.subscriptionFields((t) => ({
  clientUpdated: t.prismaField({
    type: 'Client',
    description: 'A worker registered or changed status (active, inactive, stopped, disabled).',
    args: { id: t.arg.id({ required: false }) },
    subscribe: (_p, args, ctx) => {
      const only = args.id || null;
      return releasable((signal) => filter(ctx.bus.subscribe('clientChanged', signal), (id) => !only || id === only));
    },
    resolve: async (query, clientId) =>
      prisma.client.findUniqueOrThrow({ ...query, where: { id: clientId as unknown as string } }),
  }),
}));
