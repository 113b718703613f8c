// ---------------------------------------------------------------------------------------------------
// Talking to the gate

import { GRAPHQL_URL } from './config.js';
import { state } from './state.js';

export class GateDown extends Error {}
export class AuthError extends Error {}

export async function gql(query, variables = {}) {
  let res;
  try {
    res = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(state.key ? { 'x-api-key': state.key } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GateDown('the gate is not answering');
  }
  if (res.status >= 502) throw new GateDown(`the gate answered ${res.status}`);
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`unexpected answer (HTTP ${res.status})`);
  }
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code;
    if (code === 'UNAUTHENTICATED' || (code === 'FORBIDDEN' && !state.role)) throw new AuthError(error.message);
    throw new Error(error.message);
  }
  return body.data;
}
