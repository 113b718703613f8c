// Group commit for small writes: requests of one kind (claim one task, complete one task) that arrive while a
// statement of that kind is in flight wait for it, then go together as the next statement. One request alone goes at
// once — at the end of the event loop's turn (setImmediate), so the requests of every socket read in the same poll
// phase share it: with a microtask they did not (Node runs microtasks after each socket's callback), and 8 clients
// made ~2 requests a statement instead of ~2.5, costing PostgreSQL 14 % more CPU per cycle (bench:gate-ab,
// docs/benchmarks.md, issue 16 session 10). A quiet gate adds no timer wait; a busy one pays PostgreSQL one
// statement, one commit and one WAL flush per batch instead of per request.
//
// Why not DataLoader: it batches what is asked within one tick and caches by key; here the batch is whatever arrived
// while the last statement ran (HTTP requests are read on separate turns), and some requests must not share a
// statement (two completions of one task: an UPDATE … FROM changes a row once, whichever input it picks).
//
// A batch whose statement fails is run again request by request: the statement changed nothing (it is one
// transaction), and so each request gets its own answer — one unlucky input, a deadlock with another writer or a
// statement timeout of a big batch fails only the requests it belongs to.

export interface BatchedStatement<In, Out> {
  /** runs one statement for all `inputs`; the answers come back in the order of `inputs` */
  run(inputs: In[]): Promise<Out[]>;
  /** at most this many inputs per statement */
  maxBatch: number;
  /** true when `later` may not share a statement with `earlier` (it waits for the next one) */
  conflicts?(earlier: In, later: In): boolean;
}

interface Waiting<In, Out> {
  input: In;
  resolve(out: Out): void;
  reject(error: unknown): void;
}

export class StatementBatcher<In, Out> {
  private waiting: Array<Waiting<In, Out>> = [];
  /** one statement of this kind at a time (2, 4 and 8 measured: smaller batches, more PostgreSQL CPU per request) */
  private inFlight = false;
  private scheduled = false;

  constructor(private readonly statement: BatchedStatement<In, Out>) {}

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush() {
    if (this.waiting.length === 0 || this.inFlight) return;
    this.inFlight = true;
    void this.runBatch(this.takeBatch()).then(() => {
      this.inFlight = false;
      this.schedule();
    });
  }

  /** The longest run of waiting requests that may share a statement; the rest keep their place. */
  private takeBatch(): Array<Waiting<In, Out>> {
    const { conflicts, maxBatch } = this.statement;
    if (!conflicts) return this.waiting.splice(0, maxBatch);
    const batch: Array<Waiting<In, Out>> = [];
    const later: Array<Waiting<In, Out>> = [];
    for (const w of this.waiting) {
      if (batch.length < maxBatch && !batch.some((b) => conflicts(b.input, w.input))) batch.push(w);
      else later.push(w);
    }
    this.waiting = later;
    return batch;
  }

  /** Never rejects: every request of the batch is answered, whatever `run` does. */
  private async runBatch(batch: Array<Waiting<In, Out>>) {
    try {
      const outs = await this.statement.run(batch.map((w) => w.input));
      for (const [i, w] of batch.entries()) w.resolve(outs[i]);
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      // each alone: the failed statement changed nothing, and each request deserves its own answer
      await Promise.all(
        batch.map(async (w) => {
          try {
            const [out] = await this.statement.run([w.input]);
            w.resolve(out);
          } catch (alone) {
            w.reject(alone);
          }
        }),
      );
    }
  }
}
