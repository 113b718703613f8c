// Execution time per operation (the gate's Envelop plugin, request-plugin.ts, times each execution it lets run)
// and subscriptions open now (a plugin of its own: it must see a subscription's result after every other plugin).
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { performance } from 'node:perf_hooks';
import type { GateMetrics } from '../observability/metrics.ts';
import type { GateContext } from '../schema/builder.ts';
import { type OperationRoot, transportOf } from './operation-root.ts';

/** Starts timing an execution; the hook it returns observes its duration and outcome when it is done. */
export type ExecutionTimer = (
  args: ExecutionArgs,
  operation: OperationRoot,
) => { onExecuteDone(done: { result: ExecutionResult | AsyncIterable<ExecutionResult> }): void };

export function executionTimer(metrics: GateMetrics): ExecutionTimer {
  return (args, { type, first }) => {
    const started = performance.now();
    const transport = transportOf(args.contextValue);
    return {
      onExecuteDone({ result }) {
        const outcome = !isAsyncIterable(result) && result.errors?.length ? 'error' : 'ok';
        metrics.graphqlDuration.observe(
          { operation: type, field: first, transport, outcome },
          (performance.now() - started) / 1000,
        );
      },
    };
  };
}

/** Subscriptions open now, per transport. */
export function subscriptionsOpen(metrics: GateMetrics): Plugin<GateContext> {
  return {
    onSubscribe({ args }) {
      const transport = transportOf(args.contextValue);
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) return;
          metrics.subscriptionsOpen.inc({ transport });
          return { onEnd: () => metrics.subscriptionsOpen.dec({ transport }) };
        },
      };
    },
  };
}
