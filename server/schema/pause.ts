// Pause and resume (services/pauses.ts): the queue, a plan, a worker (drain); follows pause with
// pauseFollow/resumeFollow (schema/follow.ts), which now also hold back their tasks' claims.
import * as pauses from '../services/pauses.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';
import { FollowRef } from './follow.ts';
import { PlanRef } from './plan.ts';

const QueueStateRef = builder.objectRef<pauses.QueueState>('QueueState').implement({
  description: 'The whole queue: while paused, no worker claims anything (leased work goes on).',
  fields: (t) => ({
    paused: t.exposeBoolean('paused', { description: 'true: no task is claimed until resumeQueue' }),
    pausedAt: t.expose('pausedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'when the queue was paused; null while it runs',
    }),
  }),
});

builder.prismaObjectFields('Plan', (t) => ({
  paused: t.exposeBoolean('paused', { description: "paused: the plan's tasks are not claimed" }),
  pausedAt: t.expose('pausedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'when the plan was paused; null while it runs',
  }),
}));

builder.prismaObjectFields('Client', (t) => ({
  paused: t.exposeBoolean('paused', {
    description: 'draining: the worker finishes the leases it holds and claims nothing new',
  }),
  pausedAt: t.expose('pausedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'when it was set draining; null while it claims as usual',
  }),
}));

builder.prismaObjectFields('Task', (t) => ({
  planId: t.exposeID('planId', { nullable: true, description: 'the plan the task came from (inherited by children)' }),
  followId: t.exposeID('followId', { nullable: true, description: 'the follow whose run planned the task' }),
}));

const PausesRef = builder.objectRef<pauses.Pauses>('Pauses').implement({
  description: 'Everything paused now.',
  fields: (t) => ({
    queue: t.field({ type: QueueStateRef, description: 'whether the whole queue is paused', resolve: (p) => p.queue }),
    plans: t.field({ type: [PlanRef], description: 'paused plans', resolve: (p) => p.plans }),
    follows: t.field({ type: [FollowRef], description: 'paused follows', resolve: (p) => p.follows }),
    workers: t.field({ type: [ClientRef], description: 'draining workers', resolve: (p) => p.workers }),
  }),
});

builder.queryFields((t) => ({
  queue: t.field({
    type: QueueStateRef,
    description: 'whether the whole queue is paused',
    resolve: (_r, _a, ctx) => pauses.queueState(ctx.actor),
  }),
  pauses: t.field({
    type: PausesRef,
    description: 'the queue, and the plans, follows and workers that are paused',
    resolve: (_r, _a, ctx) => pauses.listPauses(ctx.actor),
  }),
}));

builder.mutationFields((t) => ({
  pauseQueue: t.field({
    type: QueueStateRef,
    authScopes: { admin: true },
    description: 'no worker claims anything until resumeQueue; leases already held run on',
    resolve: (_r, _a, ctx) => pauses.setQueuePaused(ctx.actor, true),
  }),
  resumeQueue: t.field({
    type: QueueStateRef,
    authScopes: { admin: true },
    description: 'workers claim again (idle ones at their next poll). Admin keys only.',
    resolve: (_r, _a, ctx) => pauses.setQueuePaused(ctx.actor, false),
  }),
  pausePlan: t.prismaField({
    type: 'Plan',
    authScopes: { admin: true },
    description: "the plan's tasks are not claimed until resumePlan",
    args: { id: t.arg.id() },
    resolve: (_q, _r, { id }, ctx) => pauses.setPlanPaused(ctx.actor, String(id), true),
  }),
  resumePlan: t.prismaField({
    type: 'Plan',
    authScopes: { admin: true },
    description: "the plan's tasks are claimed again. Admin keys only.",
    args: { id: t.arg.id() },
    resolve: (_q, _r, { id }, ctx) => pauses.setPlanPaused(ctx.actor, String(id), false),
  }),
  pauseWorker: t.prismaField({
    type: 'Client',
    authScopes: { admin: true },
    description: 'drain: the worker finishes what it holds and claims nothing new until resumeWorker',
    args: { id: t.arg.id() },
    resolve: (_q, _r, { id }, ctx) => pauses.setWorkerPaused(ctx.actor, String(id), true),
  }),
  resumeWorker: t.prismaField({
    type: 'Client',
    authScopes: { admin: true },
    description: 'a draining worker claims again. Admin keys only.',
    args: { id: t.arg.id() },
    resolve: (_q, _r, { id }, ctx) => pauses.setWorkerPaused(ctx.actor, String(id), false),
  }),
}));
