/**
 * A sleep that can be cut short, and that remembers a wake-up which came while nobody slept: a loop that is
 * busy (claiming, scanning) when it is told to stop or nudged would otherwise miss it and sleep a whole
 * interval (a worker with a 120 s poll interval took two minutes to notice SIGTERM).
 */
export class Waker {
  private wakeUp: (() => void) | null = null;
  private pending = false;

  /** Ends the current nap, or the next one at once if none is running. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }

  /** Sleeps up to `ms`, or until woken; returns at once if a wake-up came since the last nap. */
  nap(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
