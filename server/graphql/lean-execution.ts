// A GraphQL POST whose query text the gate has already parsed and validated runs without Envelop's per-request
// plumbing: Yoga's params handler builds an enveloped set of functions per request and runs every plugin's parse,
// validate, context and execute hooks through promise helpers (a fake promise and closures per hook), which for a
// worker's claimTask/completeTask was more CPU and garbage than the rules the hooks apply (docs/benchmarks.md,
// session 14). This Yoga plugin swaps in a handler (Yoga's own onParams/setParamsHandler) that does what those hooks
// do for such a request, with the same functions:
// - parse and validate: the document Yoga's parse cache holds for the text, if the validation cache holds its
//   result as valid. Every parse hook judges the text alone (the nesting guard, Armor's token limit, the cache), and
//   every validation hook the document alone (the rules, Armor's limits, the cache) or only an invalid result. The
//   one hook that reads the request, Yoga's refusal of a mutation over GET or of an operation name the document does
//   not have, holds for a POST whose operation the document has: only those take this path.
// - context: the gate's context factory, merged into Yoga's context as useExtendContext does; a refusal is masked
//   twice, as Envelop's context error handler and then Yoga's handleError mask it.
// - execute: the gate's rules (request-plugin.ts: text guard, introspection, rate limit, timing) and graphql-js's
//   execute, then the masked-errors policy on the result, as useMaskedErrors does.
// At start it checks that no other plugin hooks the context or execution (a plugin added later would have been
// skipped here): otherwise every request takes Yoga's path.
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  getOperationAST,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Admission, GateRules } from './request-plugin.ts';

/** The parse cache Yoga is given (parserAndValidationCache.documentCache), read here by query text. */
export interface DocumentCache {
  get(text: string): DocumentNode | undefined;
  set(text: string, document: DocumentNode): void;
}

export interface LeanExecutionOptions {
  rules: GateRules;
  documents: DocumentCache;
  /** whether the validation cache holds `document` as valid (validation-cache.ts) */
  isValid(document: DocumentNode): boolean;
  /** Yoga's context option: what is merged into the initial context */
  context(initial: Record<string, unknown>): Promise<object>;
  /** Yoga's maskedErrors.maskError, with its errorMessage */
  maskError(error: unknown): GraphQLError;
}

/**
 * How many of Yoga's and the gate's plugins besides this one have each hook (graphql-server.ts, as described above);
 * any other count turns the path off.
 */
const EXPECTED_HOOKS = {
  onParams: 1, // Yoga's parameter check
  onParse: 5, // Yoga's engine, the nesting guard, Armor's token limit, the parse cache, Yoga's GET check
  onValidate: 9, // Yoga's engine, Armor's rules and its suggestion blocker, the validation cache, Yoga's two
  onContextBuilding: 1, // the gate's context factory
  onExecute: 3, // Yoga's engine, the gate's rules, the masked errors
  onExecutionResult: 0,
  onEnveloped: 0,
  instrumentation: 0,
};

export function leanExecution(opts: LeanExecutionOptions): Plugin & { readonly enabled: boolean } {
  let enabled = false;
  let schema: GraphQLSchema | undefined;

  const run = async (document: DocumentNode, context: Record<string, unknown>): Promise<ExecutionResult> => {
    try {
      Object.assign(context, await opts.context(context));
    } catch (error) {
      return { errors: [opts.maskError(opts.maskError(error))] };
    }
    const params = context.params as { variables?: Record<string, unknown>; operationName?: string };
    const args: ExecutionArgs = {
      schema: schema!,
      document,
      contextValue: context,
      variableValues: params.variables,
      operationName: params.operationName,
    };
    try {
      const ruled = opts.rules.admit(args);
      const admission: Admission = ruled instanceof Promise ? await ruled : ruled;
      if ('refusal' in admission) return { errors: [admission.refusal] };
      const result = await execute(args);
      admission.timing?.onExecuteDone({ result });
      return result.errors ? { ...result, errors: result.errors.map((e) => opts.maskError(e)) } : result;
    } catch (error) {
      // Yoga's handleError for what its handler throws (nothing does, short of a bug)
      return { errors: [opts.maskError(error)] };
    }
  };

  return {
    get enabled() {
      return enabled;
    },
    onPluginInit({ plugins }) {
      const others = plugins.filter((p) => p !== this);
      enabled = Object.entries(EXPECTED_HOOKS).every(
        ([hook, count]) => others.filter((p) => (p as Record<string, unknown>)[hook]).length === count,
      );
    },
    onSchemaChange(payload) {
      schema = payload.schema;
    },
    onParams({ params, request, setParamsHandler }) {
      if (!enabled || request.method !== 'POST' || typeof params.query !== 'string') return;
      const document = opts.documents.get(params.query);
      if (!document || !opts.isValid(document)) return;
      const operation = getOperationAST(document, params.operationName);
      if (!operation || operation.operation === 'subscription') return;
      setParamsHandler(({ request, params, context }) => {
        // as Yoga's handleParams puts them in the context
        Object.assign(context, context.request === request ? { params } : { request, params });
        return run(document, context as unknown as Record<string, unknown>);
      });
    },
  };
}
