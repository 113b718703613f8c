// Client (a worker): the object, queries, registration, enabling/disabling, live updates.
import { prisma } from '../db/database.ts';
import { filter, releasable } from '../events/streams.ts';
import * as clients from '../services/clients.ts';
import { parseId } from '../services/ids.ts';
import { builder } from './builder.ts';
import { currentTasksOf } from './leased-tasks.ts';
import { SHARED_LIVE } from './shared-live.ts';
import { ClientStatusEnum, RoleEnum } from './enums.ts';

export const ClientRef = builder.prismaObject('Client', {
  description: 'A worker that claims and runs tasks.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "the worker's id (a UUID): claims, heartbeats and filters name it" }),
    name: t.exposeString('name', { description: 'the name it registered with (--client-name), e.g. "kyiv-1"' }),
    host: t.exposeString('host', {
      nullable: true,
      description: 'the machine it runs on, as it reported itself (its hostname); null: not reported',
    }),
    version: t.exposeString('version', {
      nullable: true,
      description: 'the reyestr version it runs, e.g. "0.1.0"; null: not reported',
    }),
    status: t.expose('status', { type: ClientStatusEnum, description: 'active, inactive, stopped or disabled' }),
    lastHeartbeatAt: t.expose('lastHeartbeatAt', {
      type: 'DateTime',
      description:
        'its last heartbeat (or registration): a running worker sends one every third of the lease length, an idle one every --heartbeat-interval',
    }),
    tasksCompleted: t.exposeInt('tasksCompleted', { description: 'tasks it completed, since it first registered' }),
    tasksFailed: t.exposeInt('tasksFailed', {
      description: 'tasks that failed for good (FAILED or DEAD) on its attempt, since it first registered',
    }),
    documentsDownloaded: t.exposeInt('documentsDownloaded', {
      description: 'documents its completed tasks downloaded, since it first registered',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it first registered' }),
    currentTasks: t.prismaField({
      type: ['Task'],
      description: 'tasks this worker holds a lease on now',
      resolve: (query, client) => currentTasksOf(query, client.id),
    }),
  }),
});

const Me = builder.objectRef<{ role: string; keyId: string | null; authEnabled: boolean }>('Me').implement({
  description: 'The caller, as the gate sees its key.',
  fields: (t) => ({
    role: t.field({
      type: RoleEnum,
      description: "what the caller's key may do (ADMIN when authentication is off)",
      resolve: (m) => m.role as 'ADMIN' | 'WORKER',
    }),
    keyId: t.exposeID('keyId', {
      nullable: true,
      description: "the id of the caller's key (ApiKey.id); null when authentication is off",
    }),
    authEnabled: t.exposeBoolean('authEnabled', {
      description: 'false when the gate runs without API keys (a local setup): then everyone is an admin',
    }),
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
    description: 'Every registered worker, the most recently heard from first; only those of one status if asked.',
    args: { status: t.arg({ type: ClientStatusEnum, required: false, description: 'only workers in this status' }) },
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
    description: 'One worker by its id; null when there is none.',
    args: { id: t.arg.id() },
    resolve: (query, _p, args) => prisma.client.findUnique({ ...query, where: { id: parseId(args.id) } }),
  }),
  me: t.field({
    type: Me,
    description: 'Who the caller is: its role, its key, the workers registered with it.',
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
          description: 'A worker introducing itself when it starts.',
          fields: (f) => ({
            name: f.string({ description: 'a name people recognise it by, e.g. "kyiv-1"' }),
            host: f.string({ required: false, description: 'the machine it runs on (its hostname)' }),
            version: f.string({ required: false, description: 'the reyestr version it runs' }),
            clientId: f.id({
              required: false,
              description: 'its id from an earlier registration, to be the same worker again (its counters go on)',
            }),
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
          description: 'A worker to disable or enable.',
          fields: (f) => ({
            id: f.id({ description: 'the worker (Client.id)' }),
            status: f.field({
              type: ClientStatusEnum,
              description: 'DISABLED to stop it claiming, ACTIVE to let it again',
            }),
          }),
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
    extensions: { [SHARED_LIVE]: true },
    subscribe: (_p, args, ctx) => {
      const only = args.id || null;
      return releasable((signal) => filter(ctx.bus.subscribe('clientChanged', signal), (id) => !only || id === only));
    },
    resolve: async (query, clientId) =>
      prisma.client.findUniqueOrThrow({ ...query, where: { id: clientId as unknown as string } }),
  }),
}));
