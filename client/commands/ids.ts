/**
 * Ids as people type them: the CLI shows the first 8 characters of a UUID (tasks watch, worker logs), so every
 * command that takes an id also takes a unique prefix of one (4 or more hex digits), as git does for commits.
 * The gate answers which ids start with it (idsByPrefix); two or more is "ambiguous", none is "not found".
 */
import type { GateClient } from '../gate/client.ts';
import { graphql } from '../gate/generated/index.ts';
import type { IdKind } from '../gate/generated/graphql.ts';
import { CliError, EXIT } from './support.ts';

const IdsByPrefixDocument = graphql(`
  query OperatorIdsByPrefix($kind: IdKind!, $prefix: String!) { idsByPrefix(kind: $kind, prefix: $prefix) }
`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 4..35 characters of hex digits and hyphens: what a shortened UUID can look like. */
const PREFIX = /^[0-9a-f][0-9a-f-]{3,34}$/i;

const NAMES: Record<IdKind, string> = {
  TASK: 'task',
  PLAN: 'plan',
  CLIENT: 'worker',
  DOCUMENT: 'document',
  API_KEY: 'API key',
  FOLLOW: 'follow',
};

/** The full id for `input`: a UUID as it is, a prefix looked up; anything else is passed on for the gate to judge. */
export async function resolveId(gate: Pick<GateClient, 'request'>, kind: IdKind, input: string): Promise<string> {
  if (UUID.test(input) || !PREFIX.test(input)) return input;
  const { idsByPrefix: ids } = await gate.request(IdsByPrefixDocument, { kind, prefix: input });
  if (ids.length === 1) return ids[0];
  if (ids.length === 0) throw new CliError(`no ${NAMES[kind]} id starts with ${input}`, EXIT.NOT_FOUND);
  throw new CliError(
    `${NAMES[kind]} id ${input} is ambiguous: ${ids.length >= 10 ? '10 or more ids start' : `${ids.length} ids start`} with it ` +
      `(${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}); give more characters`,
    EXIT.USAGE,
  );
}

/** resolveId for an optional option value. */
export const resolveOptionalId = async (gate: Pick<GateClient, 'request'>, kind: IdKind, input?: string) =>
  input === undefined ? undefined : resolveId(gate, kind, input);
