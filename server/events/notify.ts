// Live events that are not in the task event log. Sent with NOTIFY so every gate on the database hears
// them; payloads are ids only (NOTIFY carries at most 8 kB), listeners read the rows.
import { notify } from '../db/sql/notify.ts';

export const TASK_EVENTS_CHANNEL = 'reyestr_task_events';
export const CLIENTS_CHANNEL = 'reyestr_clients';
/** A key was revoked: every gate ends that key's open WebSockets and forgets it from its key cache. */
export const API_KEYS_CHANNEL = 'reyestr_api_keys';
/** A follow ran or its round settled: `<followId>:<runId>`. */
export const FOLLOW_RUNS_CHANNEL = 'reyestr_follow_runs';

export async function publishClientChanges(clientIds: string[]): Promise<void> {
  for (const id of clientIds) {
    await notify(CLIENTS_CHANNEL, id);
  }
}

export async function publishApiKeyRevoked(keyId: string): Promise<void> {
  await notify(API_KEYS_CHANNEL, keyId);
}

/** A follow ran (or its round settled): subscribers read the run row. */
export async function publishFollowRun(run: { id: string; followId: string }): Promise<void> {
  await notify(FOLLOW_RUNS_CHANNEL, `${run.followId}:${run.id}`);
}
