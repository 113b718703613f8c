/**
 * The worker's first call: register with the gate, waiting for it as long as it is unreachable (a worker started
 * before its gate is routine) and saying so at once and every half minute. A refusal (bad key, disabled client)
 * is thrown: waiting would not change it. Its last call, on a clean stop: the goodbye (sayGoodbye).
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

/** How long a stopping worker waits for the gate to take its goodbye. */
const GOODBYE_WAIT_MS = 5_000;

/**
 * Tells the gate this worker stops (it shows it STOPPED at once, not active until the heartbeat is old). Best
 * effort and bounded: a gate that is away learns it from the missing heartbeats instead.
 */
export async function sayGoodbye(gate: GateClient, clientId: string, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), GOODBYE_WAIT_MS);
  });
  try {
    if ((await Promise.race([gate.unregisterClient(clientId), late])) === 'late')
      log.debug('the gate did not answer the goodbye in time');
  } catch (error) {
    log.debug({ err: (error as Error).message }, 'the gate did not take the goodbye');
  } finally {
    clearTimeout(timer);
  }
}
