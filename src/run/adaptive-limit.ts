/** Runs functions at most so many at once; see `adaptiveLimit`. */
export interface AdaptiveLimit {
  <T>(fn: () => Promise<T>): Promise<T>;
  /** Functions running now. */
  readonly activeCount: number;
  /** Functions waiting for their turn. */
  readonly pendingCount: number;
}

/**
 * Like p-limit, but the limit may move while work runs: at most `max` functions at once, and no
 * more than `allowed()` says, read each time one could start. The run's rate gate lowers
 * `allowed()` when the server answers 429 and raises it as the server keeps up (AIMD), so a
 * lowered limit starts nothing new until enough running functions have ended, and a raised one
 * is used as soon as one ends. In order of submission; each starts on a fresh microtask, as with
 * p-limit, never inside the caller's stack.
 */
export function adaptiveLimit(
  max: number,
  allowed: () => number = () => Number.POSITIVE_INFINITY,
): AdaptiveLimit {
  if (!(Number.isInteger(max) && max >= 1) && max !== Number.POSITIVE_INFINITY) {
    throw new TypeError(`\`max\` must be a whole number ≥ 1 or Infinity, got ${max}.`);
  }
  // A queue with a moving head: shift() on a long array is linear, and a run may queue 50,000 items.
  let queue: (() => void)[] = [];
  let head = 0;
  let active = 0;

  const capacity = (): number => {
    const now = Math.floor(allowed());
    // A limiter that allows nothing would stall the run for good: at least one always runs.
    return Math.max(1, Math.min(max, Number.isNaN(now) ? max : now));
  };

  const pump = (): void => {
    while (head < queue.length && active < capacity()) {
      const start = queue[head] as () => void;
      head += 1;
      active += 1;
      start();
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  };

  const limit = <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        Promise.resolve()
          .then(fn)
          .then(resolve, reject)
          .finally(() => {
            active -= 1;
            pump();
          });
      });
      pump();
    });

  return Object.defineProperties(limit, {
    activeCount: { get: () => active },
    pendingCount: { get: () => queue.length - head },
  }) as AdaptiveLimit;
}
