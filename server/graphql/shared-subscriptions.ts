// Identical live subscriptions share one execution (issue 16). Alone, every subscriber runs its own GraphQL
// execution for every event — resolvers, relation reads from the database, the result built — so 1,000 dashboards
// on taskEvents cost 1,000 executions (and, selecting `task`, 1,000 reads) per event. Subscriptions are identical
// when they run the same document with the same variables for the same caller (its role and key: all an execution
// can see of who asks, so one caller never gets what was resolved for another); such a group runs one subscription,
// executes each event once and hands the same result to every member, each through its own queue, in order.
// Only root fields that say their stream is live-only share (field extension SHARED_LIVE): a subscriber joining a
// running group must miss nothing it would have had alone — so not a replay (afterSeq), nor a stream that begins
// with the current state (taskUpdated, statsUpdated). A member receives what the group emits from its joining on.
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  getArgumentValues,
  getOperationAST,
  Kind,
  print,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { SHARED_LIVE, type SharedLive } from '../schema/shared-live.ts';

type Result = ExecutionResult;
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** One subscriber of a group: the group's results from its joining on, queued until read. */
class Member implements AsyncIterableIterator<Result> {
  private readonly queue: Result[] = [];
  private waiting: { resolve(r: IteratorResult<Result>): void; reject(e: unknown): void } | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;

  constructor(private readonly leave: (member: Member) => void) {}

  push(result: Result) {
    if (this.ended) return;
    const waiting = this.waiting;
    if (!waiting) return void this.queue.push(result);
    this.waiting = null;
    waiting.resolve({ done: false, value: result });
  }

  /** The group's stream ended (with `failure` when it threw): the queue is still read out first. */
  end(failure?: { error: unknown }) {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure ?? null;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting && failure) waiting.reject(failure.error);
    else waiting?.resolve(DONE);
  }

  next(): Promise<IteratorResult<Result>> {
    if (this.queue.length) return Promise.resolve({ done: false, value: this.queue.shift()! });
    if (this.ended) {
      const failure = this.failure;
      this.failure = null;
      return failure ? Promise.reject(failure.error) : Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<Result>> {
    this.queue.length = 0;
    this.failure = null;
    if (!this.ended) {
      this.end();
      this.leave(this);
    }
    return Promise.resolve(DONE);
  }

  throw(): Promise<IteratorResult<Result>> {
    return this.return();
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/** One subscription run for all its members; ends when the last member leaves or its stream ends. */
class Group {
  readonly members = new Set<Member>();
  closed = false;
  private pumping = false;

  constructor(
    private readonly source: AsyncIterator<Result>,
    private readonly onClosed: () => void,
  ) {}

  join(): Member {
    const member = new Member((left) => this.leave(left));
    this.members.add(member);
    if (!this.pumping) {
      this.pumping = true;
      void this.pump();
    }
    return member;
  }

  private async pump() {
    let failure: { error: unknown } | undefined;
    try {
      for (let r = await this.source.next(); !r.done; r = await this.source.next()) {
        for (const member of this.members) member.push(r.value);
      }
    } catch (error) {
      failure = { error };
    }
    this.close();
    for (const member of this.members) member.end(failure);
    this.members.clear();
  }

  private leave(member: Member) {
    this.members.delete(member);
    if (this.members.size > 0 || this.closed) return;
    this.close();
    // ends the stream at once (the gate's streams are releasable: return() does not wait for the next event)
    void this.source.return?.()?.catch(() => {});
  }

  private close() {
    if (this.closed) return;
    this.closed = true;
    this.onClosed();
  }
}

/** The running groups of one gate, by share key. */
export class SharedSubscriptions {
  private readonly groups = new Map<string, Promise<Group | Result>>();

  /** Groups running now (each holds one subscription of its own). */
  get groupCount(): number {
    return this.groups.size;
  }

  /**
   * A member of the group for `key`, started with `start` when there is none. A subscription that does not start
   * (its result is errors, not a stream) is answered as it is and not kept: the next caller tries again.
   */
  async join(
    key: string,
    start: () => Promise<AsyncIterable<Result> | Result> | AsyncIterable<Result> | Result,
  ): Promise<AsyncIterableIterator<Result> | Result> {
    for (;;) {
      let pending = this.groups.get(key);
      if (!pending) {
        const forget = () => {
          if (this.groups.get(key) === started) this.groups.delete(key);
        };
        const started: Promise<Group | Result> = (async () => {
          const result = await start();
          if (!isAsyncIterable(result)) return result;
          return new Group(result[Symbol.asyncIterator](), forget);
        })();
        this.groups.set(key, started);
        started.then((group) => group instanceof Group || forget(), forget);
        pending = started;
      }
      const group = await pending;
      if (!(group instanceof Group)) return group;
      if (!group.closed) return group.join();
      // it ended while we waited: start another
    }
  }
}

const printed = new WeakMap<DocumentNode, string>();

/**
 * What makes two subscriptions identical, or null when this one may not share: its one root field must say it is
 * live-only for these arguments (SHARED_LIVE); then the document, operation, variables and `viewer` (who asks).
 */
export function shareKey(args: ExecutionArgs, viewer: unknown): string | null {
  const operation = getOperationAST(args.document, args.operationName);
  const root = operation?.operation === 'subscription' ? operation.selectionSet.selections : [];
  // one plain field (fragments and directives at the root: not worth resolving here, such a subscription runs alone)
  if (root.length !== 1 || root[0].kind !== Kind.FIELD || root[0].directives?.length) return null;
  const node: FieldNode = root[0];
  const field = args.schema.getSubscriptionType()?.getFields()[node.name.value];
  const shared = field?.extensions?.[SHARED_LIVE] as SharedLive | undefined;
  if (!field || !shared) return null;
  if (shared !== true) {
    let fieldArgs: Record<string, unknown>;
    try {
      fieldArgs = getArgumentValues(field, node, args.variableValues ?? undefined);
    } catch {
      return null; // bad arguments: the subscription itself says so
    }
    if (!shared(fieldArgs)) return null;
  }
  let text = printed.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    printed.set(args.document, text);
  }
  return JSON.stringify([text, args.operationName ?? null, args.variableValues ?? {}, viewer]);
}

/**
 * The Yoga/envelop plugin: a shareable subscription (shareKey) joins its group instead of running alone. Runs for
 * SSE and, through yoga.getEnveloped, for graphql-ws. `viewerOf` says who asks, from the context.
 */
export function sharedSubscriptionsPlugin(
  shared: SharedSubscriptions,
  viewerOf: (context: unknown) => unknown,
): Plugin {
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const key = shareKey(args, viewerOf(args.contextValue));
      if (key === null) return;
      setSubscribeFn((memberArgs) =>
        shared.join(key, () =>
          // The group's own context and no signal: the first member leaving must not end the others' stream.
          subscribeFn({
            ...memberArgs,
            contextValue: { ...(memberArgs.contextValue as object) },
            signal: undefined,
          } as ExecutionArgs),
        ),
      );
    },
  };
}
