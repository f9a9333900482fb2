import { describe, expect, it } from "vitest";
import { DomoApiError } from "../../src/domo/domo-api-error.js";
import { RateGate } from "../../src/domo/rate-gate.js";
import { createRetryPolicy } from "../../src/domo/retry-policy.js";
import type { Account, CallOptions, Candidate, DomoApi } from "../../src/domo/types.js";
import { readServerState } from "../../src/run/read-server-state.js";

/** A call the test answers when it wants, with the signal it was given. */
interface Pending<T> {
  what: string;
  signal: AbortSignal | undefined;
  answer(value: T): void;
  fail(error: unknown): void;
}

/** An API port whose every GET waits for the test; `calls` lists them in the order they were sent. */
function heldApi() {
  const calls: Pending<unknown>[] = [];
  const hold =
    <T>(what: string) =>
    (options?: CallOptions): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        options?.signal?.addEventListener("abort", () => reject(options.signal?.reason), { once: true });
        calls.push({ what, signal: options?.signal, answer: resolve as (v: unknown) => void, fail: reject });
      });
  const api: DomoApi = {
    listTypes: (options) => hold<string[]>("types")(options),
    listAccounts: (type, options) => hold<Account[]>(`accounts ${type}`)(options),
    listCandidates: (id, options) => hold<Candidate[]>(`candidates ${id}`)(options),
    migrate: () => Promise.reject(new Error("not used")),
    reverse: () => Promise.reject(new Error("not used")),
  };
  const call = (what: string) => {
    const found = calls.find((c) => c.what === what);
    if (!found) throw new Error(`no call ${what}; calls: ${calls.map((c) => c.what).join(", ")}`);
    return found;
  };
  return { api, calls, call };
}

const retry = () =>
  createRetryPolicy({ retries: 0, minDelayMs: 0, maxDelayMs: 0, gate: new RateGate({ now: Date.now }) });

/** Lets queued microtasks and their follow-ups run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

const candidate = (id: string, migrated = false): Candidate => ({
  id,
  name: id,
  migrated,
  migrationDate: null,
});

describe("readServerState", () => {
  it("asks for the named accounts' candidates at the same time as the types, not after the accounts", async () => {
    const { api, calls, call } = heldApi();
    const reading = readServerState(["10", "11", "10"], { api, retry: retry() });
    await flush();
    // One list per account, however many entries name it; the accounts wait for the types.
    expect(calls.map((c) => c.what)).toEqual(["types", "candidates 10", "candidates 11"]);
    call("types").answer(["mysql", "snowflake"]);
    await flush();
    call("accounts mysql").answer([{ id: "10", type: "mysql", name: "a" }]);
    call("accounts snowflake").answer([{ id: "11", type: "snowflake", name: "b" }]);
    call("candidates 10").answer([candidate("ds-1"), candidate("ds-2", true)]);
    call("candidates 11").answer([candidate("ds-3")]);
    const state = await reading;
    expect([...state.accounts]).toEqual(["10", "11"]);
    expect([...state.candidates.keys()]).toEqual(["10", "11"]);
    expect(state.candidates.get("10")?.get("ds-2")?.migrated).toBe(true);
    expect(state.accountList.map((a) => a.id)).toEqual(["10", "11"]);
    expect(calls).toHaveLength(5);
  });

  it("cancels the list of an account the server does not know, and ignores how it ends", async () => {
    const { api, call } = heldApi();
    const reading = readServerState(["10", "99"], { api, retry: retry() });
    await flush();
    call("types").answer(["mysql"]);
    await flush();
    call("accounts mysql").answer([{ id: "10", type: "mysql", name: "a" }]);
    await flush();
    expect(call("candidates 99").signal?.aborted).toBe(true);
    expect(call("candidates 10").signal?.aborted).toBe(false);
    call("candidates 10").answer([candidate("ds-1")]);
    const state = await reading;
    expect(state.accounts.has("99")).toBe(false);
    expect([...state.candidates.keys()]).toEqual(["10"]);
  });

  it("sends no list still queued once the plan has failed", async () => {
    const { api, calls, call } = heldApi();
    // One GET at a time besides the types: the second list waits behind the first.
    const reading = readServerState(["10", "11"], { api, retry: retry() }, { concurrency: 1 });
    await flush();
    expect(calls.map((c) => c.what)).toEqual(["types", "candidates 10"]);
    const broken = new Error("types failed");
    call("types").fail(broken);
    await expect(reading).rejects.toBe(broken);
    await flush();
    expect(calls.map((c) => c.what)).toEqual(["types", "candidates 10"]);
  });

  it("fails with a known account's error", async () => {
    const { api, call } = heldApi();
    const reading = readServerState(["10"], { api, retry: retry() });
    await flush();
    const refused = new DomoApiError({
      kind: "auth",
      detail: "401 Unauthorized",
      method: "GET",
      url: "http://127.0.0.1/candidates/10",
      path: "/candidates/10",
      status: 401,
    });
    call("candidates 10").fail(refused);
    call("types").answer(["mysql"]);
    await flush();
    call("accounts mysql").answer([{ id: "10", type: "mysql", name: "a" }]);
    await expect(reading).rejects.toBe(refused);
  });

  it("fails with the types' error and cancels the candidate lists still on their way", async () => {
    const { api, call } = heldApi();
    const reading = readServerState(["10", "11"], { api, retry: retry() });
    await flush();
    const broken = new Error("types failed");
    call("types").fail(broken);
    await expect(reading).rejects.toBe(broken);
    expect(call("candidates 10").signal?.aborted).toBe(true);
    expect(call("candidates 11").signal?.aborted).toBe(true);
  });

  it("stops everything when the caller's signal aborts", async () => {
    const { api, call } = heldApi();
    const caller = new AbortController();
    const reading = readServerState(["10"], { api, retry: retry() }, { signal: caller.signal });
    await flush();
    caller.abort(new Error("the journal could not be read"));
    await expect(reading).rejects.toThrow("the journal could not be read");
    expect(call("types").signal?.aborted).toBe(true);
    expect(call("candidates 10").signal?.aborted).toBe(true);
  });
});
