// The REST API of the older gate (`/api/v1/...`) plus `GET /` and `GET /health`, as one router.
import { prisma } from '../db/database.ts';
import { clientRoutes } from './clients.ts';
import { documentRoutes } from './documents.ts';
import { createRouter, type RestOptions, type Route } from './http.ts';
import { taskRoutes } from './tasks.ts';

function serviceRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/',
      public: true,
      handle: () => ({ body: { service: 'Reyestr Download Server', version: 'v1', status: 'running' } }),
    },
    {
      method: 'GET',
      path: '/health',
      public: true,
      handle: async () => {
        try {
          await prisma.$queryRaw`SELECT 1`;
          return { body: { status: 'healthy', database: 'connected' } };
        } catch (error) {
          const message = (error as Error).message.split('\n')[0] || 'database unreachable';
          return { status: 503, body: { status: 'unhealthy', database: 'disconnected', error: message } };
        }
      },
    },
  ];
}

export function createRestApi(opts: RestOptions) {
  return createRouter([...serviceRoutes(), ...clientRoutes(opts), ...taskRoutes(), ...documentRoutes()], opts);
}
