/**
 * Warm registry sessions for the worker's next tasks. A visitor opens the search form once and then searches
 * again in the same tab; the worker does too: a session whose task ended cleanly goes to the next task with its
 * cookie and the form already loaded — one request fewer per task, which is half of what a follow's re-count of
 * an unchanged window costs. A session that was stopped (captcha, error page) or whose task failed or was cut
 * short is never reused (its state is unknown), and one left idle longer than `maxIdleMs` is closed (the
 * registry may have expired it).
 */
import type { RegistrySession } from '../registry/index.ts';

export class SessionPool {
  private readonly idle: Array<{ session: RegistrySession; since: number }> = [];
  private closed = false;

  constructor(
    private readonly open: () => Promise<RegistrySession>,
    /** sessions kept warm at most (the worker's task slots) */
    private readonly maxIdle: number,
    private readonly maxIdleMs = 120_000,
  ) {}

  /** A warm session if one is fresh enough, else a new one. */
  async take(): Promise<RegistrySession> {
    while (this.idle.length > 0) {
      const { session, since } = this.idle.pop()!;
      if (Date.now() - since <= this.maxIdleMs && !session.stopReason) return session;
      await session.close().catch(() => {});
    }
    return this.open();
  }

  /** Back from a task: kept warm when `reusable` (the task ended cleanly), else closed. */
  async give(session: RegistrySession, reusable: boolean): Promise<void> {
    if (!reusable || this.closed || session.stopReason || this.idle.length >= this.maxIdle) {
      await session.close().catch(() => {});
      return;
    }
    this.idle.push({ session, since: Date.now() });
  }

  async close(): Promise<void> {
    this.closed = true;
    const sessions = this.idle.splice(0);
    await Promise.all(sessions.map(({ session }) => session.close().catch(() => {})));
  }
}
