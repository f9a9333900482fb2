import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Journal } from "../../src/journal/journal.js";
import { JournalLockedError } from "../../src/journal/journal-error.js";
import { DEFAULT_LOCK_STALE_AFTER_MS, processIsAlive } from "../../src/journal/run-lock.js";
import type { LockOwner } from "../../src/journal/types.js";
import { aRun, cleanUp, open, tempDir } from "./journal-fixtures.js";

afterEach(cleanUp);

const NOW = Date.parse("2025-06-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

function owner(runId: string, overrides: Partial<LockOwner> = {}): LockOwner {
  return {
    runId,
    pid: process.pid,
    host: "build-1",
    startedAt: iso(NOW),
    heartbeatAt: iso(NOW),
    ...overrides,
  };
}

/** Two connections to one journal file, as two fedmigrate processes have. */
function twoProcesses(): { first: Journal; second: Journal } {
  const path = join(tempDir(), "fedmigrate.db");
  return { first: open(path), second: open(path) };
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const [code] = await once(child, "exit");
  expect(code).toBe(0);
  if (child.pid === undefined) throw new Error("the child got no pid");
  return child.pid;
}

describe("acquireLock", () => {
  it("takes a free lock and records its owner", () => {
    const { first, second } = twoProcesses();
    expect(first.lockHolder()).toBeUndefined();
    const result = first.acquireLock(owner("run-1"));
    expect(result).toEqual({ takenOverFrom: undefined, takeoverReason: undefined, crashedRuns: [] });
    expect(second.lockHolder()).toEqual(owner("run-1"));
  });

  it("refuses a second run while a live process holds it, naming the holder", () => {
    const { first, second } = twoProcesses();
    const holder = owner("run-1", { pid: process.pid, startedAt: "2025-06-01T11:58:00.000Z" });
    first.acquireLock(holder, { now: () => NOW });

    let thrown: unknown;
    try {
      second.acquireLock(owner("run-2"), { now: () => NOW });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JournalLockedError);
    const error = thrown as JournalLockedError;
    expect(error.code).toBe("JOURNAL_LOCKED");
    expect(error.holder).toEqual(holder);
    expect(error.message).toContain("run run-1");
    expect(error.message).toContain(`pid ${process.pid} on host build-1`);
    expect(error.message).toContain("started 2025-06-01T11:58:00.000Z");
    expect(error.hint).toMatch(/Wait for that run to finish/);
    expect(error.hint).toContain("more than 2 min 00 s old");
    expect(second.lockHolder()).toEqual(holder);
  });

  it("takes over from a dead process of this host, returns it and marks its run CRASHED", async () => {
    const pid = await deadPid();
    const { first, second } = twoProcesses();
    const dead = owner("run-dead", { pid });
    first.acquireLock(dead);
    first.startRun(aRun({ id: "run-dead" }));
    first.startRun(aRun({ id: "run-done" }));
    first.finishRun("run-done", "SUCCEEDED", iso(NOW));

    second.startRun(aRun({ id: "run-new" }));
    const result = second.acquireLock(owner("run-new"));
    expect(result).toEqual({
      takenOverFrom: dead,
      takeoverReason: "process-gone",
      crashedRuns: ["run-dead"],
    });
    expect(second.lockHolder()?.runId).toBe("run-new");
    expect(second.getRun("run-dead")?.status).toBe("CRASHED");
    expect(second.getRun("run-done")?.status).toBe("SUCCEEDED");
    expect(second.getRun("run-new")?.status).toBe("RUNNING");
  });

  it("takes over from another host whose heartbeat is stale, with the real clock", () => {
    const { first, second } = twoProcesses();
    const gone = owner("run-gone", { host: "old-runner", heartbeatAt: iso(Date.now() - 10 * 60_000) });
    first.acquireLock(gone);
    expect(second.acquireLock(owner("run-new", { host: "new-runner" })).takenOverFrom).toEqual(gone);
  });

  // [title, holder, process alive?, ms since its heartbeat, taken over because]
  it.each<[string, Partial<LockOwner>, boolean, number, string | undefined]>([
    ["this host, live pid, fresh heartbeat", {}, true, 1000, undefined],
    ["this host, pid gone", {}, false, 1000, "process-gone"],
    // A pid reused after a container restart looks alive: its silence gives it away.
    [
      "this host, live pid, silent for too long",
      {},
      true,
      DEFAULT_LOCK_STALE_AFTER_MS + 1,
      "heartbeat-stale",
    ],
    ["another host, fresh heartbeat", { host: "elsewhere" }, false, 1000, undefined],
    [
      "another host, heartbeat just within the limit",
      { host: "elsewhere" },
      false,
      DEFAULT_LOCK_STALE_AFTER_MS,
      undefined,
    ],
    [
      "another host, stale heartbeat",
      { host: "elsewhere" },
      true,
      DEFAULT_LOCK_STALE_AFTER_MS + 1,
      "heartbeat-stale",
    ],
    ["an unreadable heartbeat", { host: "elsewhere", heartbeatAt: "garbage" }, true, 0, "heartbeat-stale"],
  ])("%s → %s", (_title, holderFields, alive, age, reason) => {
    const { first, second } = twoProcesses();
    const holder = owner("run-old", { pid: 777, heartbeatAt: iso(NOW - age), ...holderFields });
    first.acquireLock(holder, { now: () => NOW - age });
    const isProcessAlive = vi.fn(() => alive);
    const take = () => second.acquireLock(owner("run-new"), { isProcessAlive, now: () => NOW });
    if (reason === undefined) {
      expect(take).toThrow(JournalLockedError);
      expect(second.lockHolder()).toEqual(holder);
    } else {
      expect(take()).toMatchObject({ takenOverFrom: holder, takeoverReason: reason });
      expect(second.lockHolder()?.runId).toBe("run-new");
    }
    // Another host's pids mean nothing here.
    if (holder.host !== "build-1") expect(isProcessAlive).not.toHaveBeenCalled();
    else expect(isProcessAlive).toHaveBeenCalledWith(777);
  });

  it("honours staleAfterMs", () => {
    const { first, second } = twoProcesses();
    first.acquireLock(owner("run-old", { host: "elsewhere", heartbeatAt: iso(NOW - 5000) }));
    let hint: string | undefined;
    try {
      second.acquireLock(owner("run-new"), { now: () => NOW, staleAfterMs: 10_000 });
    } catch (error) {
      hint = (error as JournalLockedError).hint;
    }
    expect(hint).toContain("more than 10.0 s old");
    expect(
      second.acquireLock(owner("run-new"), { now: () => NOW, staleAfterMs: 4000 }).takenOverFrom?.runId,
    ).toBe("run-old");
  });

  it("lets the holder take it again, refreshing it", () => {
    const { first } = twoProcesses();
    first.acquireLock(owner("run-1"));
    first.startRun(aRun({ id: "run-1" }));
    const again = owner("run-1", { heartbeatAt: iso(NOW + 5000) });
    expect(first.acquireLock(again)).toEqual({
      takenOverFrom: undefined,
      takeoverReason: undefined,
      crashedRuns: [],
    });
    expect(first.lockHolder()).toEqual(again);
    expect(first.getRun("run-1")?.status).toBe("RUNNING");
  });

  it("marks runs left RUNNING without a lock CRASHED when the lock is next taken", () => {
    const { first } = twoProcesses();
    first.startRun(aRun({ id: "run-orphan" }));
    expect(first.acquireLock(owner("run-new")).crashedRuns).toEqual(["run-orphan"]);
    expect(first.getRun("run-orphan")?.status).toBe("CRASHED");
  });
});

describe("heartbeat and release", () => {
  it("refreshes the heartbeat, and says when the lock was lost to a takeover", () => {
    const { first, second } = twoProcesses();
    first.acquireLock(owner("run-1", { heartbeatAt: iso(NOW) }));
    expect(first.heartbeat("run-1", iso(NOW + 15_000))).toBe(true);
    expect(second.lockHolder()?.heartbeatAt).toBe(iso(NOW + 15_000));

    second.acquireLock(owner("run-2"), { now: () => NOW + 15_000 + DEFAULT_LOCK_STALE_AFTER_MS + 1 });
    expect(first.heartbeat("run-1")).toBe(false);
    expect(second.lockHolder()?.runId).toBe("run-2");
  });

  it("releases only a lock still held by that run", () => {
    const { first, second } = twoProcesses();
    first.acquireLock(owner("run-1"));
    expect(second.releaseLock("run-2")).toBe(false);
    expect(second.lockHolder()?.runId).toBe("run-1");
    expect(first.releaseLock("run-1")).toBe(true);
    expect(first.lockHolder()).toBeUndefined();
    expect(second.acquireLock(owner("run-2")).takenOverFrom).toBeUndefined();
  });
});

describe("processIsAlive", () => {
  it("sees this process alive and an exited one gone", async () => {
    expect(processIsAlive(process.pid)).toBe(true);
    expect(processIsAlive(await deadPid())).toBe(false);
  });

  it.each([0, -1, 1.5, Number.NaN])("treats %s as no process", (pid) => {
    expect(processIsAlive(pid)).toBe(false);
  });
});
