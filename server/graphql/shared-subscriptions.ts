// Identical live subscriptions share one execution (issue 16). Alone, every subscriber runs its own GraphQL
// execution for every event — resolvers, relation reads from the database, the result built — so 1,000 dashboards
// on taskEvents cost 1,000 executions (and, selecting `task`, 1,000 reads) per event. Subscriptions are identical
// when they run the same document with the same variables for the same caller (its role and key: all an execution
// can see of who asks, so one caller never gets what was resolved for another); such a group runs one subscription,
// executes each event once and hands the same result to every member, each through its own queue, in order.
// Only root fields that say their stream is live-only share (field extension SHARED_LIVE): a subscriber joining a
// running group must miss nothing it would have had alone — so not a replay (afterSeq), nor a stream that begins
// with the current state (taskUpdated, statsUpdated). A member receives what the group emits from its joining on.
// A member that can take bytes (a graphql-ws operation: DirectDelivery) gets each result serialised once for the
// whole group and written straight to its socket, past the per-member layers (Yoga's and graphql-ws's iterators,
// graphql-ws's message stringify): at 1,000 subscribers those layers, not the execution, were the gate's cost.
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

/**
 * Where a member's results can go serialised instead of through its iterator (websocket.ts: one graphql-ws
 * operation on one socket). `deliver` gets the result as the member would have sent it (errors masked), in order.
 */
export interface DirectDelivery {
  deliver(result: Serialised): void;
}

/** A result's JSON, made once for all of a group's direct members: as text, and as its UTF-8 bytes. */
export interface Serialised {
  json(): string;
  utf8(): Buffer;
}

/** One result of a group and its serialised forms (made on first use, once for the group). */
interface Emitted extends Serialised {
  result: Result;
}

/** One subscriber of a group: the group's results from its joining on, queued until read. */
class Member implements AsyncIterableIterator<Result> {
  private readonly queue: Emitted[] = [];
  private waiting: { resolve(r: IteratorResult<Result>): void; reject(e: unknown): void } | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;
  /** a direct member's reader has asked for its first result: from now on results go to `direct` as they come */
  private delivering = false;

  constructor(
    private readonly leave: (member: Member) => void,
    private readonly direct?: DirectDelivery,
  ) {}

  push(emitted: Emitted) {
    if (this.ended) return;
    if (this.delivering) return this.direct!.deliver(emitted);
    const waiting = this.waiting;
    if (!waiting) return void this.queue.push(emitted);
    this.waiting = null;
    waiting.resolve({ done: false, value: emitted.result });
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
    // Direct: only once the operation is being read (graphql-ws has registered it), so nothing is written for an
    // operation completed while it subscribed; what came before goes first, in order. The reader's next() then
    // waits for the end (done, or the group's failure, which graphql-ws sends as an error).
    if (this.direct && !this.delivering) {
      this.delivering = true;
      for (const emitted of this.queue.splice(0)) this.direct.deliver(emitted);
    }
    if (this.queue.length) return Promise.resolve({ done: false, value: this.queue.shift()!.result });
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
    /** the result as it is sent (errors masked as Yoga masks them), for direct members */
    private readonly finish: (result: Result) => Result,
  ) {}

  join(direct?: DirectDelivery): Member {
    const member = new Member((left) => this.leave(left), direct);
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
        const result = r.value;
        let json: string | undefined;
        let utf8: Buffer | undefined;
        const emitted: Emitted = {
          result,
          json: () => (json ??= JSON.stringify(this.finish(result))),
          utf8: () => (utf8 ??= Buffer.from(emitted.json())),
        };
        for (const member of this.members) member.push(emitted);
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

  /** `finish`: a result as the gate sends it (Yoga's error masking), applied once per result for direct members. */
  constructor(private readonly finish: (result: Result) => Result = (result) => result) {}

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
    direct?: DirectDelivery,
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
          return new Group(result[Symbol.asyncIterator](), forget, this.finish);
        })();
        this.groups.set(key, started);
        started.then((group) => group instanceof Group || forget(), forget);
        pending = started;
      }
      const group = await pending;
      if (!(group instanceof Group)) return group;
      if (!group.closed) return group.join(direct);
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
 * SSE and, through yoga.getEnveloped, for graphql-ws. `viewerOf` says who asks, from the context; `directOf`, where
 * this subscriber takes serialised results (graphql-ws), if it does.
 */
export function sharedSubscriptionsPlugin(
  shared: SharedSubscriptions,
  viewerOf: (context: unknown) => unknown,
  directOf: (context: unknown) => DirectDelivery | undefined = () => undefined,
): Plugin {
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const key = shareKey(args, viewerOf(args.contextValue));
      if (key === null) return;
      setSubscribeFn((memberArgs) =>
        shared.join(
          key,
          () =>
            // The group's own context and no signal: the first member leaving must not end the others' stream.
            subscribeFn({
              ...memberArgs,
              contextValue: { ...(memberArgs.contextValue as object) },
              signal: undefined,
            } as ExecutionArgs),
          directOf(memberArgs.contextValue),
        ),
      );
    },
  };
}
