// Helpers for the REST tests: raw HTTP calls (exact status, headers and JSON body) and worker keys.
import { createApiKey } from '../../server/services/api-keys.ts';
import { SYSTEM_ACTOR } from '../../server/services/actor.ts';
import { ADMIN_KEY } from '../support/gate.ts';

export interface RestResult {
  status: number;
  body: any;
  headers: Headers;
}

export interface CallOptions {
  key?: string | null;
  /** a JSON value, or a raw string sent as is */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

export function restClient(baseUrl: string) {
  return async (method: string, path: string, opts: CallOptions = {}): Promise<RestResult> => {
    const key = opts.key === undefined ? ADMIN_KEY : opts.key;
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'x-api-key': key } : {}),
        ...opts.headers,
      },
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
}

export async function workerKey(name = 'worker'): Promise<string> {
  return (await createApiKey(SYSTEM_ACTOR, { name, role: 'WORKER' })).key;
}

export const region11 = { CourtRegion: ['11'], INSType: ['1'] };
