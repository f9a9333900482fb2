import type { StopReason } from "./types.js";

/** The reason a wait was cut short: the run stopped. */
export class RunStoppedError extends Error {
  override name = "RunStoppedError";
  readonly reason: StopReason;
  constructor(reason: StopReason) {
    super(`run stopped: ${reason}`);
    this.reason = reason;
  }
}

/**
 * The run's "start nothing new" switch. Requests already in flight finish and are recorded;
 * waits between retries are cut short through `signal`.
 */
export class StopController {
  #reason: StopReason | undefined;
  readonly #abort = new AbortController();
  readonly #listeners: ((reason: StopReason) => void)[] = [];

  get stopped(): boolean {
    return this.#reason !== undefined;
  }

  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** Aborted when the run stops: for waits, never for requests in flight. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** The first reason wins: an auth failure after a SIGINT is still an interrupted run. */
  stop(reason: StopReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#abort.abort(new RunStoppedError(reason));
    for (const listener of this.#listeners) listener(reason);
  }

  onStop(listener: (reason: StopReason) => void): void {
    this.#listeners.push(listener);
  }
}
