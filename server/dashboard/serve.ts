// The live dashboard's files: index.html, style.css and the page's ES modules (*.js, app.js first) from this
// folder and the graphql-ws client's browser build from node_modules, read once when the gate starts and served from memory. The page talks
// to the gate only through the public GraphQL API (HTTP for queries and mutations, graphql-ws for live data).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { projectPath } from '../project-root.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const DASHBOARD_PATH = '/dashboard';

interface Asset {
  body: Buffer;
  type: string;
}

const here = projectPath('server', 'dashboard');

/** The UMD build of graphql-ws (sets `window.graphqlWs`), wherever npm put the package. */
function graphqlWsBrowserBuild(): string {
  const entry = createRequire(import.meta.url).resolve('graphql-ws'); // …/graphql-ws/dist/index.cjs
  return join(dirname(entry), '..', 'umd', 'graphql-ws.min.js');
}

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'", // 'self' covers ws:/wss: to the same host
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Reads the files now; the handler answers GET/HEAD under /dashboard and says false for other paths. */
export function createDashboard(): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const read = (file: string, type: string): Asset => ({ body: readFileSync(file), type });
  const assets = new Map<string, Asset>([
    [`${DASHBOARD_PATH}/`, read(join(here, 'index.html'), 'text/html; charset=utf-8')],
    ...readdirSync(here)
      .filter((file) => file.endsWith('.js'))
      .map((file): [string, Asset] => [
        `${DASHBOARD_PATH}/${file}`,
        read(join(here, file), 'text/javascript; charset=utf-8'),
      ]),
    [`${DASHBOARD_PATH}/style.css`, read(join(here, 'style.css'), 'text/css; charset=utf-8')],
    [`${DASHBOARD_PATH}/vendor/graphql-ws.js`, read(graphqlWsBrowserBuild(), 'text/javascript; charset=utf-8')],
  ]);

  return (req, res, path) => {
    if (path !== DASHBOARD_PATH && !path.startsWith(`${DASHBOARD_PATH}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        .end('Method Not Allowed\n');
      return true;
    }
    // Relative URLs in the page (app.js, ../graphql) need the trailing slash; behind a proxy prefix too.
    if (path === DASHBOARD_PATH) {
      res.writeHead(308, { location: `${DASHBOARD_PATH}/` }).end();
      return true;
    }
    const asset = assets.get(path);
    if (!asset) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
      return true;
    }
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': asset.body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': CONTENT_SECURITY_POLICY,
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
    return true;
  };
}
