// Subscription streams that let go when the subscriber does. A generator's return() only runs when the
// generator next reaches a `yield`; one waiting for an event that may never come (clientUpdated of a quiet
// worker) would hold its listener for ever. releasable() hands the generator a signal that return() aborts,
// which ends the bus streams it awaits (EventBus.subscribe), so it unwinds at once.

export function releasable<T>(source: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const generator = source(controller.signal);
  return {
    next: () => generator.next(),
    return: (value?: unknown) => {
      controller.abort();
      return generator.return(value as T);
    },
    throw: (error?: unknown) => {
      controller.abort();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The values of `source` that pass `keep`. */
export async function* filter<T>(source: AsyncIterable<T>, keep: (value: T) => boolean): AsyncGenerator<T> {
  for await (const value of source) if (keep(value)) yield value;
}
