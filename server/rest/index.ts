// The REST API of the older gate (`/api/v1/...`) plus `GET /` and `GET /health`, as one router.
import { clientRoutes } from './clients.ts';
import { documentExportRoutes } from './document-export.ts';
import { documentContentRoutes } from './document-content.ts';
import { documentRoutes } from './documents.ts';
import { createRouter, type RestOptions, type Route } from './http.ts';
import { taskRoutes } from './tasks.ts';
import { checkHealth } from '../services/health.ts';

function serviceRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/',
      public: true,
      ignoresKey: true,
      handle: () => ({ body: { service: 'Reyestr Download Server', version: 'v1', status: 'running' } }),
    },
    {
      method: 'GET',
      path: '/health',
      public: true,
      ignoresKey: true,
      handle: async () => {
        const health = await checkHealth();
        if (health.healthy) return { body: { status: 'healthy', database: 'connected' } };
        return { status: 503, body: { status: 'unhealthy', database: 'disconnected', error: health.error } };
      },
    },
  ];
}

export function createRestApi(opts: RestOptions) {
  return createRouter(
    [
      ...serviceRoutes(),
      ...clientRoutes(opts),
      ...taskRoutes(),
      ...documentRoutes(),
      ...documentExportRoutes(),
      ...documentContentRoutes(),
    ],
    opts,
  );
}
