// A GateError as the GraphQLError a caller sees: its code and the details a caller may act on, in extensions.
import { GraphQLError } from 'graphql';
import type { GateError } from '../services/errors.ts';

export function toGraphQLError(error: GateError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: {
      code: error.code,
      ...(error.details.reason ? { reason: error.details.reason } : {}),
      ...(error.details.issues ? { issues: error.details.issues } : {}),
      ...(error.details.retryAfterSeconds ? { retryAfterSeconds: error.details.retryAfterSeconds } : {}),
    },
  });
}
