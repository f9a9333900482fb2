import { describe, expect, it } from "vitest";
import { abortableSleep } from "../../src/domo/abortable-sleep.js";
import { RateGate } from "../../src/domo/rate-gate.js";
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
