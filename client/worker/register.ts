/**
 * The worker's first call: register with the gate, waiting for it as long as it is unreachable (a worker started
 * before its gate is routine) and saying so at once and every half minute. A refusal (bad key, disabled client)
 * is thrown: waiting would not change it.
 */
import { hostname } from 'node:os';
import { GateCallError, type GateClient } from '../gate/client.ts';
import type { Logger } from './log.ts';

export interface Registration {
  name: string;
  host?: string;
  version?: string;
}

export async function registerWithGate(
  gate: GateClient,
  who: Registration,
  wait: { log: Logger; everyMs: number; stopped(): boolean; nap(ms: number): Promise<void> },
): Promise<string | null> {
  const { log, everyMs } = wait;
  let lastSaid = 0;
  for (let attempt = 0; !wait.stopped(); attempt++) {
    try {
      const client = await gate.registerClient({ name: who.name, host: who.host ?? hostname(), version: who.version });
      log.info({ clientId: client.id, gate: gate.endpoint }, `registered as ${client.name}`);
      return client.id;
    } catch (error) {
      if (!(error instanceof GateCallError) || !error.retryable) throw error;
      if (attempt === 0 || Date.now() - lastSaid >= 30_000) {
        log.warn(
          `${error.message}; trying again every ${everyMs / 1000} s${attempt ? ` (${attempt + 1} attempts so far)` : ''}`,
        );
        lastSaid = Date.now();
      }
      await wait.nap(everyMs);
    }
  }
  return null;
}
