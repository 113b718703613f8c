// Validation results kept per parsed document. Yoga's own validation cache keys each result by the schema and by
// the names of the validation rules, joined into one string on every request (~30 rules: ~2 % of a GraphQL
// request's CPU); on a gate both are fixed once the plugins are set up, so the document alone is the key. Yoga's
// parse cache hands out the same DocumentNode for the same query text, and a WeakMap lets a document evicted from it
// go. Like Yoga's, a refusal is cached too: the same document is refused again without running the rules.
import type { DocumentNode, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function validationCache(): Plugin & { isValid(document: DocumentNode): boolean } {
  const results = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return {
    /** Whether `document` was validated without errors (the lean path runs only such documents). */
    isValid: (document) => results.get(document)?.length === 0,
    onValidate({ params: { documentAST }, setResult }) {
      const known = results.get(documentAST);
      if (known) return setResult(known);
      return ({ result }) => {
        if (result != null) results.set(documentAST, result as readonly GraphQLError[]);
      };
    },
  };
}
