// A signal inside this process: task events were just written. Every statement that inserts into task_events
// calls taskEventsWritten() when it resolves (test/gate/event-log.test.ts checks that none forgets); the event
// bus then reads the log at once and tells the other gates with one NOTIFY. Writers no longer NOTIFY from a
// trigger: NOTIFY takes a database-wide lock from the writer's commit until it is flushed, which made every
// commit wait for the one before it. A signal sent before the writer's transaction commits costs nothing: the
// bus finds the event's transaction still running and looks again shortly (server/events/bus.ts).
type Listener = () => void;

const listeners = new Set<Listener>();

export function taskEventsWritten(): void {
  for (const listener of listeners) listener();
}

/** Calls `listener` after each write of task events in this process; returns the unsubscribe function. */
export function onTaskEventsWritten(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
