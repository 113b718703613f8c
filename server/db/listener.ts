// The gate's one LISTEN connection. LISTEN needs a dedicated session (the Prisma pool hands connections
// around), and every channel shares it: a gate holds exactly one listener connection whatever it listens to.
//
// When the connection drops (database restart) exactly one reconnect loop runs, with capped, jittered backoff,
// until the database is back or the gate stops; then every channel is re-LISTENed and every subscriber is
// called with '' so it catches up on whatever it missed. The 'end' handler that starts that loop is attached
// only to a connection that is fully up — a failed attempt is closed and never schedules anything itself, so
// no number or length of outages can multiply connections or timers.
import pg from 'pg';

type OnNotify = (payload: string) => void;

/** Backoff between reconnect attempts: 200 ms doubling to 5 s, with ±25 % jitter so gates spread out. */
export function reconnectDelayMs(attempt: number): number {
  const base = Math.min(200 * 2 ** attempt, 5_000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export class PgListener {
  private readonly channels = new Map<string, Set<OnNotify>>();
  private client: pg.Client | undefined;
  private reconnecting: Promise<void> | null = null;
  private stopped = false;
  /** Cuts a backoff sleep short when the listener stops. */
  private wake: (() => void) | undefined;
  /** LISTEN/UNLISTEN go one at a time: pg queues overlapping queries on a client but deprecates it (gone in pg 9),
   * and channels are listened to and dropped concurrently (the event bus's channels at start and stop). */
  private commands: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: pg.ClientConfig) {}

  /** LISTENs on `channel`; the first call connects (and throws if the database is unreachable). */
  async listen(channel: string, onNotify: OnNotify): Promise<() => Promise<void>> {
    if (this.stopped) throw new Error('listener stopped');
    const isNew = !this.channels.has(channel);
    if (isNew) this.channels.set(channel, new Set());
    const subscribers = this.channels.get(channel)!;
    subscribers.add(onNotify);
    try {
      if (!this.client && !this.reconnecting) await this.connect();
      else if (isNew && this.client) await this.command(`LISTEN ${quote(channel)}`);
      // (while reconnecting, the next connection LISTENs on every channel in the map, this one included)
    } catch (error) {
      subscribers.delete(onNotify);
      if (!subscribers.size) this.channels.delete(channel);
      throw error;
    }
    return async () => {
      subscribers.delete(onNotify);
      if (subscribers.size || this.channels.get(channel) !== subscribers) return;
      this.channels.delete(channel);
      await this.command(`UNLISTEN ${quote(channel)}`).catch(() => {});
    };
  }

  /** Runs `sql` on the current connection after the commands before it (if the connection is up by then). */
  private command(sql: string): Promise<void> {
    const run = this.commands.then(async () => {
      await this.client?.query(sql);
    });
    this.commands = run.catch(() => {});
    return run;
  }

  /** Is the LISTEN connection up right now (false while reconnecting)? */
  get connected(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.reconnecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const conn = new pg.Client(this.config);
    // Errors surface as a rejected connect/query below, or as 'end' once up; an unhandled 'error' would crash.
    conn.on('error', () => {});
    try {
      await conn.connect();
      for (const channel of this.channels.keys()) await conn.query(`LISTEN ${quote(channel)}`);
    } catch (error) {
      void conn.end().catch(() => {});
      throw error;
    }
    if (this.stopped) {
      await conn.end().catch(() => {});
      return;
    }
    conn.on('notification', (msg) => {
      for (const onNotify of this.channels.get(msg.channel) ?? []) onNotify(msg.payload ?? '');
    });
    conn.once('end', () => {
      if (this.client !== conn) return;
      this.client = undefined;
      if (!this.stopped) this.reconnect();
    });
    this.client = conn;
  }

  /** Starts the one reconnect loop (a no-op while it runs). */
  private reconnect(): void {
    if (this.reconnecting) return;
    this.reconnecting = (async () => {
      for (let attempt = 0; !this.stopped; attempt++) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, reconnectDelayMs(attempt));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        if (this.stopped) return;
        try {
          await this.connect();
          break;
        } catch {
          // the database is still down: back off and try again
        }
      }
    })().finally(() => {
      this.reconnecting = null;
      if (!this.client) return;
      // Back: let every subscriber catch up on what it missed while the connection was down.
      for (const subscribers of this.channels.values()) for (const onNotify of subscribers) onNotify('');
    });
  }
}

function quote(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}
