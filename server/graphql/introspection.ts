// Introspection needs a key when auth is on. The schema is no secret (schema.graphql is in the repository),
// but an anonymous caller has nothing to run with it, and a scanner learns less. Any key will do — a worker
// key is enough for GraphiQL's completion and docs (put it in GraphiQL's Headers tab, then re-fetch the
// schema). With auth off everyone is admin, so introspection is open like everything else.
// The gate's Envelop plugin (request-plugin.ts) asks this before each execution.
import { BREAK, type DocumentNode, GraphQLError, visit } from 'graphql';
import type { GateContext } from '../schema/builder.ts';

/** The refusal of an anonymous caller's introspection while auth is on, or null. */
export function introspectionRefusal(context: GateContext, document: DocumentNode): GraphQLError | null {
  if (!context.authEnabled || context.actor) return null;
  if (!introspects(document)) return null;
  return new GraphQLError('Introspection needs an API key (any role)', { extensions: { code: 'UNAUTHENTICATED' } });
}

/**
 * Does the operation ask for __schema or __type? Anywhere in the document, so a fragment spread at the root
 * counts too (both are valid only on the query root, and validation has run).
 */
function introspects(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
    },
  });
  return found;
}
