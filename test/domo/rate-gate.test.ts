import { describe, expect, it } from "vitest";
import { abortableSleep } from "../../src/domo/abortable-sleep.js";
import { RateGate, type RequestTicket } from "../../src/domo/rate-gate.js";
import { ManualClock, settle } from "./manual-clock.js";

function gateWithClock() {
  const clock = new ManualClock();
  return { clock, gate: new RateGate({ now: clock.now, sleep: clock.sleep }) };
}

/** Tracks whether a promise has settled, without waiting for it. */
function track(promise: Promise<unknown>) {
  const state = { done: false, error: undefined as unknown };
  promise.then(
    () => {
      state.done = true;
    },
    (error: unknown) => {
      state.done = true;
      state.error = error;
    },
  );
  return state;
}

describe("RateGate", () => {
  it("lets a request through at once when no pause is active", async () => {
    const { clock, gate } = gateWithClock();
    await gate.wait();
    expect(clock.sleeps).toEqual([]);
    expect(gate.remainingMs()).toBe(0);
  });

  it("holds every waiter until the pause has passed", async () => {
    const { clock, gate } = gateWithClock();
    gate.pauseFor(1000);
    const first = track(gate.wait());
    const second = track(gate.wait());
    await clock.untilSleeping(2);
    clock.advance(999);
    await settle();
    expect(first.done).toBe(false);
    expect(second.done).toBe(false);
    clock.advance(1);
    await settle();
    expect(first).toEqual({ done: true, error: undefined });
    expect(second).toEqual({ done: true, error: undefined });
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it("extends an active pause to the latest end, also for those already waiting", async () => {
    const { clock, gate } = gateWithClock();
    gate.pauseFor(1000);
    const waiter = track(gate.wait());
    await clock.untilSleeping(1);
    clock.advance(500);
    gate.pauseFor(2000); // ends at 2500
    clock.advance(500); // the waiter wakes at 1000 and finds the pause extended
    await clock.untilSleeping(1);
    expect(waiter.done).toBe(false);
    expect(clock.sleeps).toEqual([1000, 1500]);
    clock.advance(1500);
    await settle();
    expect(waiter.done).toBe(true);
  });

  it("never shortens a pause", () => {
    const { gate } = gateWithClock();
    gate.pauseFor(5000);
    gate.pauseFor(100);
    expect(gate.remainingMs()).toBe(5000);
  });

  it.each([0, -5, Number.NaN])("ignores a pause of %d ms", async (ms) => {
    const { clock, gate } = gateWithClock();
    gate.pauseFor(ms);
    expect(gate.remainingMs()).toBe(0);
    await gate.wait();
    expect(clock.sleeps).toEqual([]);
  });

  it("rejects a waiter with the signal's reason when it aborts", async () => {
    const { clock, gate } = gateWithClock();
    gate.pauseFor(60_000);
    const controller = new AbortController();
    const waiting = gate.wait(controller.signal);
    await clock.untilSleeping(1);
    const reason = new Error("interrupted");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it("rejects at once on an aborted signal, even with no pause", async () => {
    const { gate } = gateWithClock();
    const reason = new Error("stopped");
    await expect(gate.wait(AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe("RateGate: adaptive concurrency (AIMD)", () => {
  /** A gate on a manual clock, and helpers that send and end requests on it. */
  function aimd(options: { decrease?: number; headroom?: number; increaseAfterWindows?: number } = {}) {
    const clock = new ManualClock();
    const gate = new RateGate({ now: clock.now, sleep: clock.sleep, ...options });
    return {
      clock,
      gate,
      begin: (count: number) => Array.from({ length: count }, () => gate.begin()),
      answer: (tickets: RequestTicket[]) => {
        for (const ticket of tickets) gate.end(ticket, "answered");
      },
    };
  }

  it("sets no limit before the server has answered 429", () => {
    const { gate, clock, begin, answer } = aimd();
    const tickets = begin(16);
    clock.advance(50);
    answer(tickets);
    gate.end(gate.begin(), "failed");
    expect(gate.concurrencyLimit()).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    [16, 0.5, 8],
    [16, 0.75, 12],
    [3, 0.5, 1],
    [1, 0.5, 1],
  ])("cuts %i requests in flight to their share %d on the first 429: %i", (inFlight, decrease, expected) => {
    const { gate, begin } = aimd({ decrease });
    const [first] = begin(inFlight) as [RequestTicket];
    gate.end(first, "rate-limited", 1000);
    expect(gate.concurrencyLimit()).toBe(expected);
  });

  it("cuts once per cohort: the other 429s of requests sent before the cut do not cut again", () => {
    const { gate, begin } = aimd();
    const cohort = begin(16);
    for (const ticket of cohort) gate.end(ticket, "rate-limited", 1000);
    expect(gate.concurrencyLimit()).toBe(8);
    // A request sent after the cut is of the next cohort: its 429 cuts again.
    gate.end(gate.begin(), "rate-limited", 1000);
    expect(gate.concurrencyLimit()).toBe(1);
  });

  it("after a whole cycle, cuts to the measured rate × latency with headroom (Little's law)", () => {
    const { gate, clock, begin, answer } = aimd({ headroom: 1.1 });
    gate.end(begin(16)[0] as RequestTicket, "rate-limited", 1000); // limit 8; the cycle starts
    // 1 s paused, then 50 requests answered in 50 ms each over the next second: 50 per 2 s.
    clock.advance(1000);
    for (let i = 0; i < 20; i++) {
      const batch = begin(i < 10 ? 3 : 2);
      clock.advance(50);
      answer(batch);
    }
    expect(gate.concurrencyLimit()).toBe(8);
    const [last] = begin(8) as [RequestTicket];
    gate.end(last, "rate-limited", 1000);
    // 50 answers / 2000 ms × 50 ms × 1.1 = 1.375 → 2: just above what the server sustains.
    expect(gate.concurrencyLimit()).toBe(2);
  });

  it("never raises the limit on a 429, even when the measured rate would allow more", () => {
    const { gate, clock, begin, answer } = aimd({ increaseAfterWindows: 1000 });
    gate.end(begin(8)[0] as RequestTicket, "rate-limited", 1000); // limit 4
    for (let i = 0; i < 100; i++) {
      const batch = begin(4);
      clock.advance(100);
      answer(batch);
    }
    // Measured: 400 answers in 10 s at 100 ms each, ×1.1 → 5; but 4 were in flight and too many.
    const [last] = begin(4) as [RequestTicket];
    gate.end(last, "rate-limited", 1000);
    expect(gate.concurrencyLimit()).toBe(4);
  });

  it("raises the limit by one after every few Retry-After windows without a 429, not before", () => {
    const { gate, clock, begin, answer } = aimd({ increaseAfterWindows: 5 });
    gate.end(begin(8)[0] as RequestTicket, "rate-limited", 2000); // limit 4; window 2 s
    clock.advance(9_999);
    answer(begin(1));
    expect(gate.concurrencyLimit()).toBe(4);
    clock.advance(1);
    answer(begin(1));
    expect(gate.concurrencyLimit()).toBe(5);
    // The next step needs another 10 s.
    clock.advance(5_000);
    answer(begin(1));
    expect(gate.concurrencyLimit()).toBe(5);
    clock.advance(5_000);
    answer(begin(1));
    expect(gate.concurrencyLimit()).toBe(6);
  });

  it("takes a window of at least a second when the 429 gave no Retry-After", () => {
    const { gate, clock, begin, answer } = aimd({ increaseAfterWindows: 1 });
    gate.end(begin(4)[0] as RequestTicket, "rate-limited");
    clock.advance(999);
    answer(begin(1));
    expect(gate.concurrencyLimit()).toBe(2);
    clock.advance(1);
    answer(begin(1));
    expect(gate.concurrencyLimit()).toBe(3);
  });

  it("learns nothing from requests without an answer", () => {
    const { gate, clock, begin } = aimd({ increaseAfterWindows: 1 });
    gate.end(begin(4)[0] as RequestTicket, "rate-limited", 1000);
    clock.advance(60_000);
    for (const ticket of begin(10)) gate.end(ticket, "failed");
    expect(gate.concurrencyLimit()).toBe(2);
  });

  it("keeps pausing separate: a 429 reported to end() pauses nobody by itself", () => {
    const { gate, begin } = aimd();
    gate.end(begin(2)[0] as RequestTicket, "rate-limited", 5000);
    expect(gate.remainingMs()).toBe(0);
  });

  it.each<[string, { decrease?: number; headroom?: number; increaseAfterWindows?: number }, RegExp]>([
    ["a decrease of 0", { decrease: 0 }, /decrease/],
    ["a decrease of 1", { decrease: 1 }, /decrease/],
    ["a headroom below 1", { headroom: 0.9 }, /headroom/],
    ["no increase windows", { increaseAfterWindows: 0 }, /increaseAfterWindows/],
  ])("refuses %s, naming the option", (_label, options, message) => {
    expect(() => new RateGate({ now: () => 0, ...options })).toThrow(message);
  });
});

describe("abortableSleep", () => {
  it("resolves after the delay", async () => {
    await expect(abortableSleep(1)).resolves.toBeUndefined();
  });

  it("rejects with the signal's own reason, not a generic AbortError", async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    const reason = { why: "SIGINT" };
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
  });

  it("rejects at once on an already aborted signal", async () => {
    const reason = new Error("already");
    await expect(abortableSleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
