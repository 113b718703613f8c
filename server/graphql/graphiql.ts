// GraphiQL, offline and cheap. Its assets (the bundle, CSS, Monaco's three workers and the icon: 8.7 MB, from
// @graphql-yoga/render-graphiql, which Yoga would inline into one page per request) are served as files of their
// own at content-hashed URLs: cached for a year (immutable, ETag → 304), and compressed once each (brotli or
// gzip, node:zlib in the thread pool) when first asked for. The page itself is under a kilobyte. Nothing comes
// from a CDN, so it works with no internet. The bundle (tens of MB of strings once loaded) is read on the first
// request for GraphiQL, not when the gate starts: most gates never serve it, and it kept start and memory up.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { sendJson } from '../rest/http.ts';
import { graphiqlStartScript } from './graphiql-start.ts';

type Encoding = 'br' | 'gzip';

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
  cacheControl: string;
  /** compressed once, on first demand */
  encoded: Partial<Record<Encoding, Promise<Buffer>>>;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const compress: Record<Encoding, (body: Buffer) => Promise<Buffer>> = {
  // quality 5: most of brotli's gain at a fraction of its top quality's time (1.5 s vs 60 s for the 5 MB bundle)
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 6 }),
};

const digest = (body: Buffer) => createHash('sha256').update(body).digest('base64url').slice(0, 16);

function asset(type: string, body: Buffer, cacheControl = IMMUTABLE): Asset {
  return { type, body, etag: `W/"${digest(body)}"`, cacheControl, encoded: {} };
}

export interface GraphiQLOptions {
  /** the GraphQL endpoint, e.g. /graphql; assets are served under <endpoint>/graphiql/ */
  endpoint: string;
  title: string;
}

type Bundle = typeof import('@graphql-yoga/render-graphiql/graphiql');

/** The page and its files, named by content hash. */
function buildAssets(bundle: Bundle, { endpoint, title }: GraphiQLOptions, prefix: string) {
  const files = new Map<string, Asset>();
  /** Adds a file; its URL carries its content hash, so it may be cached for ever. */
  const add = (name: string, type: string, content: string | Buffer): string => {
    const file = asset(type, Buffer.from(content));
    const [base, ext] = name.split('.');
    const hashed = `${base}.${file.etag.slice(3, -1)}.${ext}`;
    files.set(hashed, file);
    return `${prefix}${hashed}`;
  };
  const js = 'text/javascript; charset=utf-8';
  const workers = {
    editorWorkerService: add('editor-worker.js', js, bundle.editorWorkerService),
    json: add('json-worker.js', js, bundle.jsonWorker),
    graphql: add('graphql-worker.js', js, bundle.graphqlWorker),
  };
  // What Yoga's page runs inline, as a file: Monaco's workers, one API key for HTTP and WebSocket, example tabs.
  const start = add('start.js', js, graphiqlStartScript(workers, { title, endpoint, subscriptionsProtocol: 'WS' }));
  const [iconType, iconData] = /^data:([^;]+);base64,(.*)$/s.exec(bundle.favicon)?.slice(1) ?? ['image/x-icon', ''];
  const icon = add('favicon.ico', iconType, Buffer.from(iconData, 'base64'));
  const css = add('graphiql.css', 'text/css; charset=utf-8', bundle.css);
  const main = add('graphiql.js', js, bundle.js);
  const page = asset(
    'text/html; charset=utf-8',
    Buffer.from(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)} · GraphiQL</title>
    <link rel="icon" href="${icon}" />
    <link rel="stylesheet" href="${css}" />
    <script src="${start}"></script>
    <script src="${main}"></script>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
  </body>
</html>
`),
    'no-cache', // small, and names the current assets: revalidate (ETag) every time
  );

  return { files, page };
}

/** Serves the GraphiQL page (GET <endpoint> asking for HTML) and its assets; returns false for other requests. */
export function createGraphiQL(options: GraphiQLOptions) {
  const prefix = `${options.endpoint}/graphiql/`;
  let assets: Promise<ReturnType<typeof buildAssets>> | undefined;
  const load = () =>
    (assets ??= import('@graphql-yoga/render-graphiql/graphiql').then((bundle) =>
      buildAssets(bundle, options, prefix),
    ));
  const failed = (res: ServerResponse) => (error: unknown) =>
    sendJson(res, 500, { detail: `GraphiQL is not available: ${(error as Error).message}` });

  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === options.endpoint && wantsHtml(req)) {
      load().then(({ files, page }) => {
        // The browser will ask for these next: start compressing them now.
        for (const file of files.values()) void encodedBody(file, acceptedEncoding(req)).catch(() => {});
        return send(req, res, page);
      }, failed(res));
      return true;
    }
    if (!path.startsWith(prefix)) return false;
    load().then(({ files }) => {
      const file = files.get(path.slice(prefix.length));
      return file ? send(req, res, file) : sendJson(res, 404, { detail: 'Not Found' });
    }, failed(res));
    return true;
  };
}

/** As Yoga decides: a GET that accepts HTML is a person with a browser. */
function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

/** The best encoding the client accepts (q > 0): brotli, then gzip, else none. */
export function acceptedEncoding(req: IncomingMessage): Encoding | null {
  const accepted = new Map<string, number>();
  for (const part of String(req.headers['accept-encoding'] ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    if (token) accepted.set(token, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : null;
}

function encodedBody(file: Asset, encoding: Encoding | null): Promise<Buffer> {
  if (!encoding) return Promise.resolve(file.body);
  file.encoded[encoding] ??= compress[encoding](file.body);
  return file.encoded[encoding];
}

async function send(req: IncomingMessage, res: ServerResponse, file: Asset) {
  const headers: Record<string, string | number> = {
    'content-type': file.type,
    etag: file.etag,
    'cache-control': file.cacheControl,
    vary: 'accept-encoding',
  };
  const seen = String(req.headers['if-none-match'] ?? '');
  if (seen.split(',').some((tag) => tag.trim() === file.etag || tag.trim() === '*')) {
    return void res.writeHead(304, headers).end();
  }
  const encoding = acceptedEncoding(req);
  let body: Buffer;
  try {
    body = await encodedBody(file, encoding);
    if (encoding) headers['content-encoding'] = encoding;
  } catch {
    body = file.body; // compression failed (out of memory?): the plain file still works
  }
  headers['content-length'] = body.length;
  res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
