// The gate's own rules for each GraphQL operation, as ONE Envelop plugin with one hook per phase: Envelop runs every
// plugin's hook through its promise helpers (a fake promise and closures per hook and request, and a real promise
// chain after the first hook that returns one), so five small plugins cost more than the rules they ran
// (docs/benchmarks.md, session 12). Each rule keeps its code in its own module; this only calls them, in the order
// the five plugins ran, and stops at the first refusal as setResultAndStopExecution did there (later rules, and
// the plugins after this one, do not see a refused operation). The same rules admit the executions of the lean
// path (lean-execution.ts), which runs a known document without Envelop.
import { execute, type ExecutionArgs, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RateLimiter } from '../http/rate-limit.ts';
import type { GateMetrics } from '../observability/metrics.ts';
import type { GateContext } from '../schema/builder.ts';
import { documentGuard, type DocumentGuard } from './document-guard.ts';
import { introspectionRefusal } from './introspection.ts';
import { mutationRateLimit } from './mutation-rate-limit.ts';
import { executionTimer, type ExecutionTimer } from './operation-metrics.ts';
import { operationRoot } from './operation-root.ts';

export interface RequestPluginOptions {
  /** mutation fields count against the caller's key */
  rateLimiter?: RateLimiter;
  /** execution time per operation */
  metrics?: GateMetrics;
}

/** What the rules say before an execution: its refusal, or go ahead (with the hook that times it, if any). */
export type Admission = { refusal: GraphQLError } | { timing: ReturnType<ExecutionTimer> | undefined };

export interface GateRules {
  /** Throws the refusal of a source nested too deep to parse (before parsing). */
  checkSource: DocumentGuard['checkSource'];
  /** The refusal of text PostgreSQL cannot store in the variables or the document's string literals, or null. */
  textRefusal: DocumentGuard['textRefusal'];
  /** The rules before an execution, in order; a promise only when the rate limit has to be asked (a mutation). */
  admit(args: ExecutionArgs): Admission | Promise<Admission>;
}

export function gateRules(opts: RequestPluginOptions): GateRules {
  const guard = documentGuard();
  const limitMutations = opts.rateLimiter ? mutationRateLimit(opts.rateLimiter, opts.metrics) : null;
  const timeExecution = opts.metrics ? executionTimer(opts.metrics) : null;
  return {
    checkSource: (source) => guard.checkSource(source),
    textRefusal: (document, variables) => guard.textRefusal(document, variables),
    admit(args) {
      const context = args.contextValue as GateContext;
      const refusal =
        guard.textRefusal(args.document, args.variableValues) ?? introspectionRefusal(context, args.document);
      if (refusal) return { refusal };
      if (!limitMutations && !timeExecution) return { timing: undefined };
      const operation = operationRoot(args);
      const limited = limitMutations?.(context, operation);
      if (!limited) return { timing: timeExecution?.(args, operation) };
      return limited.then((error) => (error ? { refusal: error } : { timing: timeExecution?.(args, operation) }));
    },
  };
}

export function gateRequestPlugin(rules: GateRules): Plugin<GateContext> {
  return {
    // Refuses documents nested too deep to parse before anything parses them.
    onParse({ params }) {
      rules.checkSource(params.source);
    },
    onExecute({ args, setExecuteFn, setResultAndStopExecution }) {
      // Queries and mutations run on graphql-js's executor, not Yoga's default (@graphql-tools/executor, kept for
      // subscriptions): that one exists for @defer/@stream, which this schema does not have, and costs more per
      // request (it copies every variable value before coercing it, looks field collection and arguments up in
      // WeakMap memos, and chains each field through promise helpers). Same coercion and error messages (a fork).
      setExecuteFn(execute);
      const go = (admission: Admission) => {
        if ('refusal' in admission) return setResultAndStopExecution({ errors: [admission.refusal] });
        return admission.timing;
      };
      const admission = rules.admit(args);
      return admission instanceof Promise ? admission.then(go) : go(admission);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refusal = rules.textRefusal(args.document, args.variableValues);
      if (refusal) setResultAndStopExecution({ errors: [refusal] });
    },
  };
}
