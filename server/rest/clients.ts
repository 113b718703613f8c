// /api/v1/clients: registration, heartbeat, listing and statistics of workers, over services/clients.ts,
// services/client-stats.ts and services/leases.ts.
import { z } from 'zod';
import { actorFor } from '../auth.ts';
import { callerClient } from '../services/client-leases.ts';
import { clientStatistics, listClients } from '../services/client-stats.ts';
import { registerClient, unregisterClient } from '../services/clients.ts';
import { heartbeat } from '../services/leases.ts';
import { idSchema } from '../services/ids.ts';
import { HttpError, parseBody, type RestRequest, type Route } from './http.ts';
import { clientJson, taskStatisticsJson } from './shapes.ts';

const registration = z.object({
  client_name: z.string().min(1).max(200),
  client_host: z.string().max(255).nullish(),
  api_key: z.string().max(500).nullish(),
});

/** The client the caller acts as: `X-Client-Id` when sent (a key with several workers), else its key's client. */
export const clientOf = (req: RestRequest, registerAs?: string) =>
  callerClient(req.actor, { clientId: req.headers.get('x-client-id'), registerAs });

export function clientRoutes({ authEnabled }: { authEnabled: boolean }): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/clients/register',
      // The key may come in the body instead of the header; it must still be one an admin issued.
      public: true,
      body: 'required',
      handle: async (req) => {
        const body = parseBody(registration, req.body);
        const actor = req.actor ?? (await actorFor(body.api_key ?? null, authEnabled));
        if (!actor) throw new HttpError(401, 'API key required');
        const client = await registerClient(
          actor,
          { name: body.client_name, host: body.client_host },
          { reuseAnyOfKey: true },
        );
        return { body: { client_id: client.id, message: `Client ${client.name} registered successfully` } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/clients/heartbeat',
      body: 'optional',
      handle: async (req) => {
        const client = await clientOf(req);
        const beat = await heartbeat(req.actor, { clientId: client.id });
        return { body: { success: true, message: 'Heartbeat received', leases_extended: beat.leases.length } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/clients/unregister',
      body: 'optional',
      handle: async (req) => {
        const client = await unregisterClient(req.actor, (await clientOf(req)).id);
        return { body: { success: true, client_id: client.id, status: client.status.toLowerCase() } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/clients',
      handle: async (req) => {
        const { total, active, clients } = await listClients(req.actor);
        return { body: { total_clients: total, active_clients: active, clients: clients.map(clientJson) } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/clients/me/statistics',
      handle: async (req) => statistics(req, (await clientOf(req)).id),
    },
    {
      method: 'GET',
      path: '/api/v1/clients/:client_id/statistics',
      handle: async (req) => {
        if (!idSchema.safeParse(req.params.client_id).success)
          throw new HttpError(404, `Client ${req.params.client_id} not found`);
        return statistics(req, req.params.client_id);
      },
    },
  ];
}

async function statistics(req: RestRequest, clientId: string) {
  const { client, taskStatistics } = await clientStatistics(req.actor, clientId);
  return { body: { ...clientJson(client), task_statistics: taskStatisticsJson(taskStatistics) } };
}
