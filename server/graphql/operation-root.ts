// What an execution runs, as the rate limit and the metrics read it: the operation's type and its root fields.
import { getOperationAST, Kind, type ExecutionArgs } from 'graphql';

export interface OperationRoot {
  /** query, mutation, subscription, or unknown */
  type: string;
  /** the first root field's name (or unknown) */
  first: string;
  /** how many root fields (fragment spreads at the root not counted) */
  count: number;
}

export function operationRoot(args: ExecutionArgs): OperationRoot {
  const operation = getOperationAST(args.document, args.operationName);
  const fields = operation?.selectionSet.selections.filter((s) => s.kind === Kind.FIELD) ?? [];
  return { type: operation?.operation ?? 'unknown', first: fields[0]?.name.value ?? 'unknown', count: fields.length };
}

/** Which transport an execution came over: a graphql-ws context has no HTTP request. */
export const transportOf = (context: unknown) => ((context as { request?: unknown }).request ? 'http' : 'ws');
