// Two checks on a GraphQL request before it is parsed or run, for input that would otherwise fail deep inside as
// an internal error: nesting (graphql-js parses lists and objects recursively, so 5,000 `[` overflow the stack —
// over WebSocket that closed the socket with 4500), and text PostgreSQL cannot store (NUL, unpaired surrogates)
// in variables and string literals. The gate's Envelop plugin (request-plugin.ts) runs both, so they hold over HTTP
// and WebSocket.
import { GraphQLError, visit, type DocumentNode, type Source } from 'graphql';
import { findMalformedText, textProblem } from '../http/malformed-text.ts';

/** Lists, input objects and selection sets nested deeper than this are refused before parsing. */
export const MAX_NESTING = 100;

const refused = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });

export interface DocumentGuard {
  /** Throws the refusal of a source nested too deep to parse (before parsing). */
  checkSource(source: string | Source): void;
  /** The refusal of text PostgreSQL cannot store in the variables or the document's string literals, or null. */
  textRefusal(document: DocumentNode, variables: unknown): GraphQLError | null;
}

export function documentGuard(): DocumentGuard {
  // Yoga's parse cache hands out the same DocumentNode for the same query text, so a document's string literals
  // are judged once, not on every execution (walking the whole document was ~2 % of a worker mutation's CPU).
  const literalProblems = new WeakMap<DocumentNode, string | null>();
  const literalProblem = (document: DocumentNode): string | null => {
    let problem = literalProblems.get(document);
    if (problem === undefined) {
      problem = null;
      visit(document, {
        StringValue(node) {
          problem ??= textProblem(node.value);
        },
      });
      literalProblems.set(document, problem);
    }
    return problem;
  };
  return {
    checkSource(source) {
      if (nestedDeeperThan(typeof source === 'string' ? source : source.body, MAX_NESTING)) {
        throw refused(`Syntax Error: lists, objects or selections nested deeper than ${MAX_NESTING} levels`);
      }
    },
    textRefusal(document, variables) {
      const inVariables = findMalformedText(variables ?? {});
      if (inVariables) return refused(`Variable "$${inVariables.path.join('.')}" ${inVariables.problem}`);
      const problem = literalProblem(document);
      return problem ? refused(`A string in the query ${problem}`) : null;
    },
  };
}

/**
 * Whether `[` and `{` nest deeper than `limit` in a GraphQL source, outside strings and comments. A linear scan,
 * no recursion; it only has to be right about depth, the parser judges everything else.
 */
export function nestedDeeperThan(source: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (c === '"' && source.startsWith('"""', i)) {
      i += 3;
      while (i < source.length && !(source.startsWith('"""', i) && source[i - 1] !== '\\')) i++;
      i += 2;
    } else if (c === '"') {
      for (i++; i < source.length && source[i] !== '"' && source[i] !== '\n'; i++) if (source[i] === '\\') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > limit) return true;
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return false;
}
