// One GraphQL POST to a gate by URL (for tests that run gates as processes).
export interface GraphQLBody<T> {
  data: T;
  errors?: Array<{ message: string; extensions?: { code?: string; [k: string]: unknown } }>;
}

export async function postGraphQL<T = any>(
  baseUrl: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLBody<T>;
}

/** Like postGraphQL, but throws on GraphQL errors and returns the data. */
export async function graphqlData<T = any>(
  baseUrl: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const body = await postGraphQL<T>(baseUrl, key, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
