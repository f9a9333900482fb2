import { describe, expect, it } from "vitest";
import { adaptiveLimit } from "../../src/run/adaptive-limit.js";

/** Functions that end when the test says so, recording which have started. */
function controllable() {
  const started: number[] = [];
  const finishers = new Map<number, (value: number) => void>();
  const task = (id: number) => () =>
    new Promise<number>((resolve) => {
      started.push(id);
      finishers.set(id, resolve);
    });
  return { started, task, finish: (id: number) => finishers.get(id)?.(id) };
}

/** Lets queued microtasks and their follow-ups run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe("adaptiveLimit", () => {
  it("runs at most `max` at once, in order of submission", async () => {
    const { started, task, finish } = controllable();
    const limit = adaptiveLimit(2);
    const results = [1, 2, 3, 4].map((id) => limit(task(id)));
    await flush();
    expect(started).toEqual([1, 2]);
    expect([limit.activeCount, limit.pendingCount]).toEqual([2, 2]);
    finish(2);
    await flush();
    expect(started).toEqual([1, 2, 3]);
    finish(1);
    finish(3);
    await flush();
    finish(4);
    await expect(Promise.all(results)).resolves.toEqual([1, 2, 3, 4]);
    expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);
  });

  it("starts nothing inside the caller's stack", () => {
    const { started, task } = controllable();
    const limit = adaptiveLimit(4);
    void limit(task(1));
    expect(started).toEqual([]);
  });

  it("starts nothing new while the allowed number is lowered below those running", async () => {
    const { started, task, finish } = controllable();
    let allowed = Number.POSITIVE_INFINITY;
    const limit = adaptiveLimit(4, () => allowed);
    for (const id of [1, 2, 3, 4, 5, 6]) void limit(task(id));
    await flush();
    expect(started).toEqual([1, 2, 3, 4]);
    allowed = 2;
    finish(1);
    finish(2);
    await flush();
    expect(started).toEqual([1, 2, 3, 4]); // still 2 running: 3 and 4
    finish(3);
    await flush();
    expect(started).toEqual([1, 2, 3, 4, 5]);
  });

  it("uses a raised allowed number as soon as one ends, never above max", async () => {
    const { started, task, finish } = controllable();
    let allowed = 1;
    const limit = adaptiveLimit(3, () => allowed);
    for (const id of [1, 2, 3, 4, 5]) void limit(task(id));
    await flush();
    expect(started).toEqual([1]);
    allowed = 10;
    finish(1);
    await flush();
    expect(started).toEqual([1, 2, 3, 4]);
  });

  it.each([0, -1, Number.NaN])("always lets one run when the allowed number is %d", async (allowed) => {
    const { started, task } = controllable();
    const limit = adaptiveLimit(3, () => allowed);
    for (const id of [1, 2]) void limit(task(id));
    await flush();
    expect(started).toEqual(Number.isNaN(allowed) ? [1, 2] : [1]);
  });

  it("passes a rejection through and carries on with the queue", async () => {
    const limit = adaptiveLimit(1);
    const failing = limit(async () => {
      throw new Error("item failed");
    });
    const next = limit(async () => "next");
    await expect(failing).rejects.toThrow("item failed");
    await expect(next).resolves.toBe("next");
  });

  it("keeps order over a long queue", async () => {
    const limit = adaptiveLimit(3);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 5000 }, (_, i) =>
        limit(async () => {
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it.each([0, 1.5, -2, Number.NaN])("refuses a max of %d", (max) => {
    expect(() => adaptiveLimit(max)).toThrow(/max/);
  });
});
