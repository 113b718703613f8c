// GraphQL POSTs of JSON — what workers send — answered without Yoga's fetch adaptation: Yoga's node adapter wraps
// every request in a whatwg Request (headers, a body stream, an AbortSignal), parses the body through it, picks a
// result processor and builds a whatwg Response that it then copies to node's response; that was 11–14 % of the
// gate's CPU per claimTask/completeTask (docs/benchmarks.md, issue 16). Here the body is read as one buffer and
// Yoga's own steps run on it: getResultForParams (its parameter checks, the enveloped parse/validate/context/
// execute with every plugin — document guard, Armor limits, rate limit, metrics — and its error handling), then its
// processRegularResult (status codes, extensions.http, the serialisation without internals) into a plain object.
// Whatever this path does not know answers as before, through Yoga: other methods, paths and Accept headers, a
// subscription, and a body that is not a JSON object or whose parameters Yoga refuses (its answer is the error).
import { processRegularResult, type YogaServerInstance } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/body.ts';

/**
 * The media type Yoga answers a regular (not streamed) result in, for the Accept headers clients send (whitespace
 * removed, lower case): the first of application/graphql-response+json and application/json the header lists, JSON
 * for a wildcard or none. Other headers go through Yoga, which decides.
 */
const ANSWER_AS: Record<string, string> = {
  '': 'application/json',
  '*/*': 'application/json',
  'application/json': 'application/json',
  'application/graphql-response+json': 'application/graphql-response+json',
  'application/graphql-response+json,application/json': 'application/graphql-response+json', // graphql-request
  'application/json,application/graphql-response+json': 'application/json',
};

/** A subscription is answered as a stream (SSE) or refused by Yoga's processors: never on this path. */
const MAY_SUBSCRIBE = /\bsubscription\b/;

/** What processRegularResult hands to its fetchAPI's Response constructor, kept as it is. */
class PlainResponse {
  constructor(
    readonly body: string | null,
    readonly init: { status: number; headers: Record<string, string> },
  ) {}
}
const plainFetchAPI = { Response: PlainResponse } as unknown as Parameters<typeof processRegularResult>[1];

// biome-ignore lint/suspicious/noExplicitAny: the Yoga instance's context types do not matter here
type Yoga = YogaServerInstance<any, any>;

export function graphqlJsonPost(yoga: Yoga, path: string, bodyLimitBytes: number) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const answerAs =
      req.method === 'POST' && req.url === path
        ? ANSWER_AS[(req.headers.accept ?? '').replace(/\s/g, '').toLowerCase()]
        : undefined;
    if (!answerAs) return void (await yoga(req, res));
    const text = (await readBody(req, bodyLimitBytes)).toString('utf8');
    const params = jsonObject(text);
    if (!params || typeof params.query !== 'string' || MAY_SUBSCRIBE.test(params.query)) {
      return throughYoga(yoga, req, res, text);
    }
    // What the context factory and Yoga's plugins read of the request: its method and headers (node's, lower case).
    const headers = { get: (name: string) => headerOf(req, name) };
    const request = { method: 'POST', headers } as unknown as Request;
    let result: Awaited<ReturnType<Yoga['getResultForParams']>>;
    try {
      result = await yoga.getResultForParams({ params, request }, { req, res });
    } catch {
      // Only Yoga's parameter checks throw here (execution errors come back as a result), before anything ran:
      // Yoga answers them itself.
      return throughYoga(yoga, req, res, text);
    }
    const answer = processRegularResult(result as never, plainFetchAPI, answerAs) as unknown as PlainResponse;
    const body = answer.body ?? '';
    res.writeHead(answer.init.status, { ...answer.init.headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}

/** The body as a JSON object (not an array: Yoga's batching is off), or null. */
function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function headerOf(req: IncomingMessage, name: string): string | null {
  return headerText(req.headers[name.toLowerCase()]);
}

/** A node header as one text (a repeated header's values joined, as fetch's Headers does), or null. */
function headerText(value: string | string[] | undefined): string | null {
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

/** Yoga's own answer to a request whose body was already read. */
async function throughYoga(yoga: Yoga, req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
  const headers = new yoga.fetchAPI.Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    const text = headerText(value);
    if (text !== null) headers.set(name, text);
  }
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const response = await yoga.fetch(url, { method: req.method, headers, body }, { req, res });
  const text = await response.text();
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(text);
}
