/**
 * The worker's ear on the gate: the `taskAvailable` subscription. A nudge wakes the claim loop; the socket coming
 * (back) up wakes it too, since tasks may have come while it was down; the gate ending the socket with 4403 means
 * the key was revoked or the client disabled. The poll interval stays the fallback for everything missed here.
 */
import type { GateClient } from '../gate/client.ts';
import type { Logger } from './log.ts';

export function listenForTaskNudges(
  gate: GateClient,
  clientId: string,
  on: { log: Logger; wake(): void; keyRefused(error: Error): void },
): () => void {
  let socketUp = false;
  return gate.subscribeTaskAvailable({
    clientId,
    onNudge: () => on.wake(),
    onConnected: () => {
      if (!socketUp) on.log.debug('listening for taskAvailable');
      socketUp = true;
      // Claim now and once more a moment later: the gate registers the subscription a little after it
      // acknowledges the connection, and a nudge in between is lost.
      on.wake();
      setTimeout(() => on.wake(), 1_000).unref();
    },
    onClosed: (close) => {
      socketUp = false;
      if (close.code === 4403) on.keyRefused(new Error(`the gate closed the subscription: ${close.reason}`));
    },
  });
}
