import type { Sleep } from "../../src/domo/abortable-sleep.js";

interface Sleeper {
  until: number;
  resolve: () => void;
}

/**
 * A clock that moves only when a test says so, so tests wait on events instead of time.
 * `sleep` parks the caller until `advance` passes its wake-up time; `autoSleep` advances the
 * clock by itself and returns at once (for tests that only check what was waited for).
 */
export class ManualClock {
  #now = 0;
  #sleepers: Sleeper[] = [];
  #onSleep: (() => void)[] = [];
  /** Every duration asked of `sleep` or `autoSleep`, in order. */
  readonly sleeps: number[] = [];

  readonly now = (): number => this.#now;

  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      this.sleeps.push(ms);
      const sleeper: Sleeper = { until: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        "abort",
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
      for (const notify of this.#onSleep.splice(0)) notify();
    });

  readonly autoSleep: Sleep = async (ms, signal) => {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.#now += ms;
  };

  /** How many callers are parked in `sleep`. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  /** Resolves once `count` callers are parked in `sleep`. */
  async untilSleeping(count = 1): Promise<void> {
    while (this.#sleepers.length < count) {
      await new Promise<void>((resolve) => this.#onSleep.push(resolve));
    }
  }

  /** Moves the clock and wakes every sleeper whose time has come. */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#sleepers.filter((s) => s.until <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.until > this.#now);
    for (const sleeper of due) sleeper.resolve();
  }
}

/** Resolves after pending promise callbacks have run, to observe that something did NOT happen yet. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
