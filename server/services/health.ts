// Is this gate able to serve? It is when its database answers.
import { ping } from '../db/sql/ping.ts';

export type Health = { healthy: true } | { healthy: false; error: string };

export async function checkHealth(): Promise<Health> {
  try {
    await ping();
    return { healthy: true };
  } catch (error) {
    return { healthy: false, error: (error as Error).message.split('\n')[0] || 'database unreachable' };
  }
}
