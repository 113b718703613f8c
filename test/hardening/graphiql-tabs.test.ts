// The example operations GraphiQL opens with are valid against the schema the gate serves (schema.graphql is
// checked against it by schema:check), so a newcomer's first Run does not end in a validation error.
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { expect, it } from 'vitest';
import { GRAPHIQL_TABS } from '../../server/graphql/graphiql-start.ts';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

it.each(GRAPHIQL_TABS.map((tab, i) => [i + 1, tab] as const))('example tab %i is valid', (_i, tab) => {
  expect(validate(schema, parse(tab.query)).map((e) => e.message)).toEqual([]);
  if (tab.variables) expect(() => JSON.parse(tab.variables!)).not.toThrow();
  if (tab.headers) expect(JSON.parse(tab.headers)).toEqual({ 'X-API-Key': '' });
});

it('the tabs show the worker conversation and a live taskEvents subscription', () => {
  const all = GRAPHIQL_TABS.map((t) => t.query).join('\n');
  for (const field of ['registerClient', 'claimTask', 'heartbeat', 'reportProgress', 'completeTask']) {
    expect(all).toContain(field);
  }
  expect(all).toMatch(/subscription \w+ \{\s+taskEvents\(/);
});
