// Which registry sessions the worker hands to its next task: only clean, unstopped, recently used ones.
import { describe, expect, it } from 'vitest';
import type { RegistrySession } from '../../client/registry/index.ts';
import { SessionPool } from '../../client/worker/session-pool.ts';

function fakeSession(name: string) {
  const session = {
    name,
    stopReason: null as Error | null,
    closed: false,
    close: async () => void (session.closed = true),
  };
  return session;
}
type Fake = ReturnType<typeof fakeSession>;

function pool(maxIdle = 2, maxIdleMs = 60_000) {
  let opened = 0;
  const made: Fake[] = [];
  const sessions = new SessionPool(
    async () => {
      const s = fakeSession(`s${++opened}`);
      made.push(s);
      return s as unknown as RegistrySession;
    },
    maxIdle,
    maxIdleMs,
  );
  return { sessions, made };
}

describe('SessionPool', () => {
  it('hands a clean session to the next task instead of opening another', async () => {
    const { sessions, made } = pool();
    const first = await sessions.take();
    await sessions.give(first, true);
    expect(await sessions.take()).toBe(first);
    expect(made).toHaveLength(1);
  });

  it('never reuses a session whose task failed or that the registry stopped; closes them', async () => {
    const { sessions, made } = pool();
    const failed = await sessions.take();
    await sessions.give(failed, false);
    const stopped = await sessions.take();
    (stopped as unknown as Fake).stopReason = new Error('captcha');
    await sessions.give(stopped, true);
    const next = await sessions.take();
    expect(next).not.toBe(failed);
    expect(next).not.toBe(stopped);
    expect(made.map((s) => s.closed)).toEqual([true, true, false]);
  });

  it('closes a session idle too long, keeps at most maxIdle, and closes the rest on close()', async () => {
    const stale = pool(2, -1); // every idle session is already too old
    const old = await stale.sessions.take();
    await stale.sessions.give(old, true);
    expect(await stale.sessions.take()).not.toBe(old);
    expect((old as unknown as Fake).closed).toBe(true);

    const { sessions, made } = pool(1);
    const [a, b] = [await sessions.take(), await sessions.take()];
    await sessions.give(a, true);
    await sessions.give(b, true); // over maxIdle: closed
    expect(made.map((s) => s.closed)).toEqual([false, true]);
    await sessions.close();
    expect(made.map((s) => s.closed)).toEqual([true, true]);
  });
});
