import { describe, expect, it } from "vitest";
import type { ErrorKind } from "../../src/domo/classify-error.js";
import { DomoApiError } from "../../src/domo/domo-api-error.js";
import { RateGate } from "../../src/domo/rate-gate.js";
import { createRetryPolicy, type RetryInfo } from "../../src/domo/retry-policy.js";
import { ManualClock, settle } from "./manual-clock.js";

function apiError(kind: ErrorKind, extra: { retryAfterMs?: number; status?: number } = {}): DomoApiError {
  return new DomoApiError({
    kind,
    method: "POST",
    url: "https://acme.domo.com/api/query/migration/federated/v1/to/v2/ds/accounts/1",
    path: "/ds/accounts/1",
    detail: `failed (${kind})`,
    ...extra,
  });
}

/** An attempt function that fails with the given errors in turn, then returns "ok". */
function scripted(failures: unknown[], onCall?: (attempt: number) => void) {
  const calls: { attempt: number }[] = [];
  const fn = async (attempt: number) => {
    calls.push({ attempt });
    onCall?.(attempt);
    const failure = failures[calls.length - 1];
    if (failure !== undefined) throw failure;
    return "ok";
  };
  return { fn, calls };
}

function setup(retries = 3, extra: { minDelayMs?: number; random?: () => number } = {}) {
  const clock = new ManualClock();
  const gate = new RateGate({ now: clock.now, sleep: clock.autoSleep });
  const retriesSeen: RetryInfo[] = [];
  const policy = createRetryPolicy({
    retries,
    minDelayMs: extra.minDelayMs ?? 0,
    gate,
    sleep: clock.autoSleep,
    ...(extra.random ? { random: extra.random } : {}),
    onRetry: (info) => retriesSeen.push(info),
  });
  return { clock, gate, policy, retriesSeen };
}

describe("createRetryPolicy", () => {
  it("returns the first success without retrying", async () => {
    const { policy, retriesSeen } = setup();
    const { fn, calls } = scripted([]);
    await expect(policy.run(fn)).resolves.toBe("ok");
    expect(calls).toEqual([{ attempt: 1 }]);
    expect(retriesSeen).toEqual([]);
  });

  it.each<ErrorKind>(["transient", "ambiguous"])("retries %s errors", async (kind) => {
    const { policy, retriesSeen } = setup();
    const first = apiError(kind);
    const second = apiError(kind);
    const { fn, calls } = scripted([first, second]);
    await expect(policy.run(fn)).resolves.toBe("ok");
    expect(calls).toEqual([{ attempt: 1 }, { attempt: 2 }, { attempt: 3 }]);
    expect(retriesSeen.map((r) => [r.attempt, r.error])).toEqual([
      [2, first],
      [3, second],
    ]);
  });

  it.each([0, 1, 4])("makes 1 + %i attempts at most, then throws the last error", async (retries) => {
    const { policy } = setup(retries);
    const errors = Array.from({ length: 10 }, () => apiError("transient"));
    const { fn, calls } = scripted(errors);
    await expect(policy.run(fn)).rejects.toBe(errors[retries]);
    expect(calls).toHaveLength(retries + 1);
  });

  it.each<ErrorKind>(["auth", "setup", "other"])("throws %s errors at once", async (kind) => {
    const { policy, retriesSeen } = setup();
    const error = apiError(kind);
    const { fn, calls } = scripted([error]);
    await expect(policy.run(fn)).rejects.toBe(error);
    expect(calls).toHaveLength(1);
    expect(retriesSeen).toEqual([]);
  });

  it.each<[string, unknown]>([
    ["an Error", new Error("bug")],
    ["a TypeError", new TypeError("x is not a function")],
    ["a string", "plain string"],
    ["an object", { reason: "SIGINT" }],
  ])("throws %s that is not a DomoApiError at once, untouched", async (_label, thrown) => {
    const { policy } = setup();
    const { fn, calls } = scripted([thrown]);
    await expect(policy.run(fn)).rejects.toBe(thrown);
    expect(calls).toHaveLength(1);
  });

  it("waits the exponential, jittered backoff between attempts", async () => {
    const { clock, policy, retriesSeen } = setup(3, { minDelayMs: 100, random: () => 0.5 });
    const { fn } = scripted([apiError("transient"), apiError("transient"), apiError("ambiguous")]);
    await policy.run(fn);
    // base 100, 200, 400; jitter 0.5 with random 0.5 → 75 %.
    expect(clock.sleeps).toEqual([75, 150, 300]);
    expect(retriesSeen.map((r) => r.delayMs)).toEqual([75, 150, 300]);
  });

  it("pauses every worker for a Retry-After, then succeeds", async () => {
    const clock = new ManualClock();
    const gate = new RateGate({ now: clock.now, sleep: clock.sleep });
    const retriesSeen: RetryInfo[] = [];
    const policy = createRetryPolicy({
      retries: 3,
      minDelayMs: 0,
      gate,
      onRetry: (r) => retriesSeen.push(r),
    });

    const startedAt = { a: [] as number[], b: [] as number[] };
    const a = scripted([apiError("transient", { status: 429, retryAfterMs: 7000 })], () =>
      startedAt.a.push(clock.now()),
    );
    const runA = policy.run(a.fn);
    await clock.untilSleeping(1); // A is held at the gate after its 429
    expect(gate.remainingMs()).toBe(7000);
    expect(retriesSeen.map((r) => r.delayMs)).toEqual([7000]);

    // Another worker starting now must not send anything until the pause has passed.
    const b = scripted([], () => startedAt.b.push(clock.now()));
    const runB = policy.run(b.fn);
    await clock.untilSleeping(2);
    await settle();
    expect(b.calls).toHaveLength(0);
    expect(a.calls).toHaveLength(1);

    clock.advance(7000);
    await expect(runA).resolves.toBe("ok");
    await expect(runB).resolves.toBe("ok");
    expect(startedAt).toEqual({ a: [0, 7000], b: [7000] });
  });

  it("pauses the gate for a Retry-After even when no retry is left", async () => {
    const { policy, gate } = setup(0);
    const error = apiError("transient", { status: 429, retryAfterMs: 5000 });
    const { fn } = scripted([error]);
    await expect(policy.run(fn)).rejects.toBe(error);
    expect(gate.remainingMs()).toBe(5000);
  });

  it("reports the longer of backoff and Retry-After as the delay", async () => {
    const { policy, retriesSeen, gate } = setup(2, { minDelayMs: 5000, random: () => 0.999 });
    const { fn } = scripted([apiError("transient", { status: 503, retryAfterMs: 1000 })]);
    await policy.run(fn);
    expect(retriesSeen[0]?.delayMs).toBeGreaterThanOrEqual(4990);
    expect(gate.remainingMs()).toBe(0);
  });

  it("stops during the backoff when the signal aborts, with its reason", async () => {
    const clock = new ManualClock();
    const gate = new RateGate({ now: clock.now, sleep: clock.sleep });
    const policy = createRetryPolicy({ retries: 3, minDelayMs: 1000, gate, sleep: clock.sleep });
    const controller = new AbortController();
    const { fn, calls } = scripted([apiError("transient")]);
    const running = policy.run(fn, { signal: controller.signal });
    await clock.untilSleeping(1);
    const reason = new Error("SIGINT");
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(calls).toHaveLength(1);
  });

  it("stops at the gate when the signal aborts there, with its reason", async () => {
    const clock = new ManualClock();
    const gate = new RateGate({ now: clock.now, sleep: clock.sleep });
    const policy = createRetryPolicy({ retries: 3, minDelayMs: 0, gate });
    gate.pauseFor(10_000);
    const controller = new AbortController();
    const { fn, calls } = scripted([]);
    const running = policy.run(fn, { signal: controller.signal });
    await clock.untilSleeping(1);
    controller.abort("second signal");
    await expect(running).rejects.toBe("second signal");
    expect(calls).toHaveLength(0);
  });

  it("does not start when the signal is already aborted", async () => {
    const { policy } = setup();
    const { fn, calls } = scripted([]);
    const reason = new Error("already stopped");
    await expect(policy.run(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(calls).toHaveLength(0);
  });

  it.each<[string, Partial<{ retries: number; minDelayMs: number; maxDelayMs: number }>, RegExp]>([
    ["negative retries", { retries: -1 }, /retries/],
    ["fractional retries", { retries: 1.5 }, /retries/],
    ["negative minDelayMs", { minDelayMs: -1 }, /minDelayMs/],
    ["maxDelayMs below minDelayMs", { minDelayMs: 10, maxDelayMs: 5 }, /maxDelayMs/],
  ])("refuses %s, naming the option", (_label, overrides, message) => {
    expect(() =>
      createRetryPolicy({ retries: 1, gate: new RateGate({ now: () => 0 }), ...overrides }),
    ).toThrow(message);
  });
});

describe("createRetryPolicy and the gate's adaptive concurrency", () => {
  it.each<[string, unknown, number]>([
    ["a 429", apiError("transient", { status: 429, retryAfterMs: 1000 }), 1],
    ["a 503", apiError("transient", { status: 503 }), Number.POSITIVE_INFINITY],
    ["no answer", apiError("ambiguous"), Number.POSITIVE_INFINITY],
    ["a bug", new Error("bug"), Number.POSITIVE_INFINITY],
  ])("reports each attempt to the gate: after %s the limit is %d", async (_label, failure, expected) => {
    const { policy, gate } = setup(1);
    const { fn } = scripted([failure]);
    await policy.run(fn).catch(() => undefined);
    expect(gate.concurrencyLimit()).toBe(expected);
    expect(policy.concurrencyLimit()).toBe(expected);
  });

  it("counts the requests in flight across workers when a 429 cuts the limit", async () => {
    const { policy, gate } = setup(1);
    const release: (() => void)[] = [];
    const hold = () => new Promise<string>((resolve) => release.push(() => resolve("ok")));
    const slow = Array.from({ length: 5 }, () => policy.run(hold));
    await settle();
    const limited = scripted([apiError("transient", { status: 429, retryAfterMs: 1000 })]);
    await policy.run(limited.fn);
    // Six were in flight at the 429 (five held, plus the one refused): half of them.
    expect(gate.concurrencyLimit()).toBe(3);
    for (const go of release) go();
    await Promise.all(slow);
  });
});

describe("a signal during a request", () => {
  it("keeps the answer of a request that was in flight when the signal came", async () => {
    const policy = createRetryPolicy({
      retries: 3,
      minDelayMs: 0,
      maxDelayMs: 0,
      gate: new RateGate({ now: () => 0 }),
    });
    const controller = new AbortController();
    const result = await policy.run(
      async () => {
        controller.abort(new Error("stop"));
        return "migrated";
      },
      { signal: controller.signal },
    );
    expect(result).toBe("migrated");
  });
});

describe("send and backoff: the pieces a POST's caller loops over", () => {
  it("send makes one request through the gate and rethrows its error as it is", async () => {
    const { policy, gate, retriesSeen } = setup(3);
    const error = apiError("ambiguous", { status: 502 });
    const { fn, calls } = scripted([error]);
    await expect(policy.send(() => fn(1))).rejects.toBe(error);
    expect(calls).toHaveLength(1);
    expect(retriesSeen).toEqual([]);
    expect(gate.concurrencyLimit()).toBe(Number.POSITIVE_INFINITY);
  });

  it("send waits out a Retry-After pause first, and pauses the gate for one it gets", async () => {
    const { policy, gate, clock } = setup(3);
    gate.pauseFor(2000);
    const error = apiError("transient", { status: 429, retryAfterMs: 4000 });
    await expect(policy.send(async () => Promise.reject(error))).rejects.toBe(error);
    expect(clock.sleeps).toEqual([2000]);
    expect(gate.remainingMs()).toBe(4000);
  });

  it.each<[string, unknown, number, boolean]>([
    ["transient, retries left", apiError("transient"), 1, true],
    ["ambiguous, retries left", apiError("ambiguous"), 3, true],
    ["ambiguous, none left", apiError("ambiguous"), 4, false],
    ["auth", apiError("auth"), 1, false],
    ["other (a 404)", apiError("other", { status: 404 }), 1, false],
    ["not an API error", new Error("bug"), 1, false],
  ])("backoff after %s → %s", async (_label, error, failures, expected) => {
    const { policy, retriesSeen } = setup(3, { minDelayMs: 100, random: () => 0.5 });
    await expect(policy.backoff(error, failures)).resolves.toBe(expected);
    expect(retriesSeen).toHaveLength(expected ? 1 : 0);
  });

  it("backoff waits the exponential delay of the failure count, and reports a longer Retry-After", async () => {
    const { policy, clock, retriesSeen } = setup(5, { minDelayMs: 100, random: () => 0.5 });
    await policy.backoff(apiError("ambiguous"), 3);
    expect(clock.sleeps).toEqual([300]);
    await policy.backoff(apiError("transient", { status: 429, retryAfterMs: 9000 }), 1);
    expect(retriesSeen.map((r) => [r.attempt, r.delayMs])).toEqual([
      [4, 300],
      [2, 9000],
    ]);
  });

  it("backoff rejects with the signal's reason when it aborts during the wait", async () => {
    const { policy } = setup(3, { minDelayMs: 100 });
    const reason = new Error("stopped");
    await expect(policy.backoff(apiError("transient"), 1, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
