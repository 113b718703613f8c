// Each mutation field costs one point of the caller's per-key budget (shared with REST's POSTs); over the limit the
// operation answers RATE_LIMITED instead of running. The gate's Envelop plugin (request-plugin.ts) asks this before
// each execution.
import type { GraphQLError } from 'graphql';
import type { RateLimiter } from '../http/rate-limit.ts';
import type { GateMetrics } from '../observability/metrics.ts';
import type { GateContext } from '../schema/builder.ts';
import { GateError } from '../services/errors.ts';
import { toGraphQLError } from './gate-error.ts';
import type { OperationRoot } from './operation-root.ts';

/**
 * Null when nothing is counted (not a mutation, or no caller); otherwise the promise of the refusal (null: the
 * points were taken, run it). Only mutations wait for the limiter, so queries stay synchronous.
 */
export type MutationRateLimit = (context: GateContext, operation: OperationRoot) => Promise<GraphQLError | null> | null;

export function mutationRateLimit(limiter: RateLimiter, metrics?: GateMetrics): MutationRateLimit {
  return (context, operation) => {
    const actor = context.actor;
    if (operation.type !== 'mutation' || !actor) return null;
    return limiter.take(actor.keyId ?? 'no-key', Math.max(1, operation.count)).then(
      () => null,
      (error: unknown) => {
        if (!(error instanceof GateError)) throw error;
        metrics?.rejections.inc({ limit: 'rate' });
        return toGraphQLError(error);
      },
    );
  };
}
