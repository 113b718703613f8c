// How many subscriptions one API key may run at once on this gate, over WebSocket and SSE together (an Envelop
// plugin, so both transports count), and the error every subscription limit answers with.
import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GateMetrics } from '../observability/metrics.ts';
import type { GateContext } from '../schema/builder.ts';

export const TOO_MANY_SUBSCRIPTIONS = 'TOO_MANY_SUBSCRIPTIONS';

export function tooManySubscriptions(where: string, limit: number): GraphQLError {
  return new GraphQLError(`Too many subscriptions ${where}: at most ${limit} at once; close some first`, {
    extensions: { code: TOO_MANY_SUBSCRIPTIONS, limit, http: { status: 429 } },
  });
}

/**
 * Counts running subscriptions per key; over `limit` → TOO_MANY_SUBSCRIPTIONS. Without a key (authentication
 * off) nothing is counted here: the per-address WebSocket cap still holds. 0 = no limit.
 */
export function subscriptionsPerKey(limit: number, metrics?: GateMetrics): Plugin<GateContext> {
  const open = new Map<string, number>();
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn, setResultAndStopExecution }) {
      const keyId = (args.contextValue as GateContext).actor?.keyId;
      if (!keyId || !limit) return;
      const running = open.get(keyId) ?? 0;
      if (running >= limit) {
        metrics?.rejections.inc({ limit: 'subscriptions_per_key' });
        setResultAndStopExecution({ errors: [tooManySubscriptions('with this API key', limit)] });
        return;
      }
      open.set(keyId, running + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const left = (open.get(keyId) ?? 1) - 1;
        if (left > 0) open.set(keyId, left);
        else open.delete(keyId);
      };
      setSubscribeFn(async (subscribeArgs) => {
        try {
          return await subscribeFn(subscribeArgs);
        } catch (error) {
          release();
          throw error;
        }
      });
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) return release(); // refused (auth, bad arguments): nothing runs
          return { onEnd: release };
        },
      };
    },
  };
}

/**
 * The GraphQLError a validation rule or the parser threw (GraphQL Armor throws its rejections), as an instance of
 * the graphql module graphql-ws checks against even if it came from another copy; null for anything else.
 */
export function asGraphQLError(error: unknown): GraphQLError | null {
  if (error instanceof GraphQLError) return error;
  const e = error as Partial<GraphQLError> | null;
  if (e?.name !== 'GraphQLError' || typeof e.message !== 'string') return null;
  return new GraphQLError(e.message, { nodes: e.nodes, extensions: e.extensions });
}
