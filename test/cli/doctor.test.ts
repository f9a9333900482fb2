import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { openJournal } from "../../src/journal/open-journal.js";
import type { Fixture, SimMode } from "../../src/sim/fixture.js";
import { loadFixture } from "../../src/sim/load-fixture.js";
import { startTestSimulator, type TestSimulator } from "../helpers/sim.js";
import { testToken } from "../leak/leak-capture.js";

const DEMO = fileURLToPath(new URL("../../manifests/demo/fixture.yaml", import.meta.url));
/** Distinctive, so that a scan of the output for it cannot match anything else. */
const TOKEN = testToken();
const FORBIDDEN = testToken();

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Check {
  name: string;
  status: "ok" | "warn" | "fail" | "skip";
  message: string;
  hint: string | null;
}

interface DoctorJson {
  success: boolean;
  checks: Check[];
  types: {
    type: string;
    accounts: { id: string; candidates: number; unmigrated: number; migrated: number }[];
  }[];
}

/** Everything every run printed: no secret may appear in any of it. */
const printed: string[] = [];

async function run(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env, cwd });
  printed.push(stdout.text, stderr.text);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** `doctor --json`, with the checks by name. */
async function doctor(env: NodeJS.ProcessEnv, cwd: string, args: string[] = []) {
  const result = await run(["doctor", "--json", ...args], env, cwd);
  const doc = JSON.parse(result.stdout) as DoctorJson;
  const check = (name: string): Check => {
    const found = doc.checks.find((c) => c.name === name);
    if (!found) throw new Error(`no check ${name}`);
    return found;
  };
  return { ...result, doc, check };
}

/** A loopback URL whose port nothing listens on (it was free a moment ago). */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

let sim: TestSimulator;
let fixture: Fixture;
let dir: string;

function envFor(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DOMO_DOMAIN: sim.url,
    DOMO_DEVELOPER_TOKEN: TOKEN,
    FEDMIGRATE_RETRY_MIN_MS: "0",
    FEDMIGRATE_JOURNAL: join(dir, "fedmigrate.db"),
    ...overrides,
  };
}

beforeAll(async () => {
  const demo = await loadFixture(DEMO);
  fixture = {
    ...demo,
    token: TOKEN,
    forbiddenToken: FORBIDDEN,
    latencyMs: { min: 0, max: 0 },
    faults: { ...demo.faults, rate5xx: 0 },
  };
  sim = await startTestSimulator(fixture);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fedmigrate-doctor-"));
});
afterEach(() => {
  sim.sim.update({ mode: "normal" });
  rmSync(dir, { recursive: true, force: true });
});

describe("fedmigrate doctor", () => {
  it("is all ok against the simulator, lists the inventory, and creates no journal", async () => {
    const { code, doc, check } = await doctor(envFor(), dir);
    expect(code).toBe(0);
    expect(doc.success).toBe(true);
    expect(doc.checks.map((c) => [c.name, c.status])).toEqual([
      ["domain", "ok"],
      ["token", "ok"],
      ["proxy", "ok"],
      ["api", "ok"],
      ["inventory", "ok"],
      ["journal", "ok"],
    ]);
    expect(check("domain").message).toContain(`${sim.url} (from DOMO_DOMAIN)`);
    expect(check("token").message).toBe("present (from DOMO_DEVELOPER_TOKEN); its value is never shown");
    expect(check("inventory").message).toBe(
      "3 integration types, 4 V2 accounts, 36 V1 datasources (36 not migrated, 0 migrated)",
    );
    expect(doc.types).toEqual([
      {
        type: "mysql-federated",
        accounts: [
          // The demo ties the sales_db tables to account 1, the crm ones to account 2 (candidateOf).
          { id: "1", name: "mysql v2", candidates: 10, unmigrated: 10, migrated: 0 },
          { id: "2", name: "mysql v2 agent", candidates: 10, unmigrated: 10, migrated: 0 },
        ],
      },
      {
        type: "snowflake-federated",
        accounts: [
          { id: "12", name: "Snowflake V2 Analytics", candidates: 16, unmigrated: 16, migrated: 0 },
          { id: "13", name: "Snowflake V2 Finance", candidates: 16, unmigrated: 16, migrated: 0 },
        ],
      },
      // Listed by GET /types with no V2 account yet (Domo's prerequisite case).
      { type: "postgresql-federated", accounts: [] },
    ]);
    expect(check("journal").message).toContain("no journal yet");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("prints a line per check in plain text, the inventory as a tree", async () => {
    const { code, stdout } = await run(["doctor"], envFor(), dir);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(
      lines.filter((l) => /^(ok|warn|FAIL|skip) /.test(l)).map((l) => l.split(/\s+/).slice(0, 2)),
    ).toEqual([
      ["ok", "domain"],
      ["ok", "token"],
      ["ok", "proxy"],
      ["ok", "api"],
      ["ok", "inventory"],
      ["ok", "journal"],
    ]);
    expect(stdout).toContain('account "2" mysql v2 agent: 10 candidates (10 not migrated, 0 migrated)');
    expect(stdout).toContain("postgresql-federated: no accounts");
    expect(lines.at(-2)).toBe("All checks passed.");
  });

  it.each([
    {
      title: "a wrong token → exit 4, the token is wrong, expired or revoked",
      env: { DOMO_DEVELOPER_TOKEN: "tok-doctor-wrong-0000" },
      code: 4,
      says: /Domo refused the developer token: it is wrong, expired or revoked \(GET \/types → 401/,
      hint: /create a new token/,
    },
    {
      title: "a token of a user without the grant → exit 4, the user lacks permission",
      env: { DOMO_DEVELOPER_TOKEN: FORBIDDEN },
      code: 4,
      says: /its user lacks the permission .*403/,
      hint: /ask a Domo admin/,
    },
    {
      title: "nothing listening → exit 1, the connection is refused",
      env: { DOMO_DOMAIN: "CLOSED_PORT" },
      code: 1,
      says: /cannot reach http:\/\/127\.0\.0\.1:\d+: the connection is refused/,
      hint: /domain/,
    },
  ])("$title", async ({ env, code, says, hint }) => {
    const closed = env.DOMO_DOMAIN === "CLOSED_PORT" ? { DOMO_DOMAIN: await closedPortUrl() } : {};
    const result = await doctor(envFor({ ...env, ...closed }), dir);
    expect(result.code).toBe(code);
    expect(result.doc.success).toBe(false);
    expect(result.check("api").status).toBe("fail");
    expect(result.check("api").message).toMatch(says);
    expect(result.check("api").hint).toMatch(hint);
    expect(result.check("inventory").status).toBe("skip");
    // The journal is still checked: one run says everything that is wrong.
    expect(result.check("journal").status).toBe("ok");
  });

  it.each<{ mode: SimMode; says: RegExp; hint: RegExp }>([
    {
      mode: "ip-blocked",
      says: /IP allow-list blocks this machine: the API answered 303 with a redirect to its "blocked" page/,
      hint: /allow-list/,
    },
    {
      mode: "maintenance",
      says: /Domo is down for maintenance: it answered 503 with its maintenance page, also after retries/,
      hint: /maintenance is over/,
    },
  ])("explains mode $mode in plain words, exit 1", async ({ mode, says, hint }) => {
    sim.sim.update({ mode });
    const { code, check, stdout } = await doctor(envFor(), dir);
    expect(code).toBe(1);
    expect(check("api").status).toBe("fail");
    expect(check("api").message).toMatch(says);
    expect(check("api").hint).toMatch(hint);
    expect(stdout).not.toContain("<html");
  });

  it.each([
    {
      title: "no domain",
      env: { DOMO_DOMAIN: undefined },
      name: "domain",
      says: "no Domo domain given",
    },
    {
      title: "plain http to a remote host",
      env: { DOMO_DOMAIN: "http://acme.domo.com" },
      name: "domain",
      says: "refusing http://acme.domo.com: the developer token would travel in clear",
    },
    {
      title: "no token",
      env: { DOMO_DEVELOPER_TOKEN: undefined },
      name: "token",
      says: "no developer token given",
    },
    {
      title: "a proxy that is not a URL",
      env: { HTTPS_PROXY: "proxy.corp:3128" },
      name: "proxy",
      says: "the proxy variables (HTTPS_PROXY) cannot be used",
    },
  ])("$title → exit 2, and nothing is called", async ({ env, name, says }) => {
    const before = sim.requestLog().length;
    const { code, check } = await doctor(envFor(env), dir);
    expect(code).toBe(2);
    expect(check(name).status).toBe("fail");
    expect(check(name).message).toContain(says);
    expect(check(name).hint).toMatch(/\S/);
    expect(check("api").status).toBe("skip");
    expect(sim.requestLog().length).toBe(before);
  });

  it("reads the token from --token-file and says so, never its value", async () => {
    writeFileSync(join(dir, "token"), `${TOKEN}\n`);
    const { code, check } = await doctor(envFor({ DOMO_DEVELOPER_TOKEN: "tok-doctor-env-ignored" }), dir, [
      "--token-file",
      "token",
    ]);
    expect(code).toBe(0);
    expect(check("token").message).toBe(
      "present (from --token-file token; DOMO_DEVELOPER_TOKEN is set too, and --token-file wins); its value is never shown",
    );
  });

  it("shows the proxy with its credentials masked, and warns of a missing CA bundle", async () => {
    const previous = getGlobalDispatcher();
    try {
      const { code, check, stdout } = await doctor(
        envFor({
          HTTPS_PROXY: "http://ops:proxy-secret-pw@proxy.invalid:3128",
          NO_PROXY: "internal.example",
          NODE_EXTRA_CA_CERTS: join(dir, "missing-ca.pem"),
        }),
        dir,
      );
      // Loopback never goes through the proxy, so the simulator is still reached.
      expect(check("api").status).toBe("ok");
      expect(code).toBe(0);
      expect(check("proxy").status).toBe("warn");
      expect(check("proxy").message).toContain(
        "requests go through http://***@proxy.invalid:3128/ (from HTTPS_PROXY)",
      );
      expect(check("proxy").message).toContain("not for: internal.example,localhost,127.0.0.1,[::1]");
      expect(check("proxy").message).toContain("which is not a readable file");
      expect(stdout).not.toContain("proxy-secret-pw");
    } finally {
      setGlobalDispatcher(previous);
    }
  });
});

describe("fedmigrate doctor and the journal", () => {
  function makeJournal(path: string, lock?: { pid: number; heartbeatAt: string }): void {
    const journal = openJournal(path);
    try {
      const startedAt = new Date().toISOString();
      journal.startRun({
        id: "run-a",
        command: "migrate",
        domain: new URL(sim.url).host,
        manifestsHash: null,
        user: "ops",
        host: hostname(),
        pid: 1,
        ciJobUrl: null,
        startedAt,
        options: null,
      });
      journal.finishRun("run-a", "SUCCEEDED", startedAt);
      if (lock) {
        journal.acquireLock({
          runId: "run-b",
          pid: lock.pid,
          host: hostname(),
          startedAt,
          heartbeatAt: lock.heartbeatAt,
        });
      }
    } finally {
      journal.close();
    }
  }

  it("opens an existing journal read-only and counts its runs", async () => {
    const path = join(dir, "fedmigrate.db");
    makeJournal(path);
    const { code, check } = await doctor(envFor(), dir);
    expect(code).toBe(0);
    expect(check("journal").status).toBe("ok");
    expect(check("journal").message).toContain(
      `${path} (FEDMIGRATE_JOURNAL) opens read-only; schema version`,
    );
    expect(check("journal").message).toContain(`1 run (1 on ${new URL(sim.url).host})`);
    expect(check("journal").message).toContain("not locked");
  });

  it.each([
    {
      title: "held by a live run: a migrate now would exit 3",
      pid: process.pid,
      says: /locked by run run-b \(pid \d+ on .*, since .*, heartbeat .*\)/,
      hint: /exit 3/,
    },
    {
      title: "left by a dead process: the next run takes it over",
      pid: 999_999_999,
      says: /locked by run run-b \(pid 999999999 on .*\), which is no longer running/,
      hint: /takes the lock over/,
    },
  ])("warns of a lock $title", async ({ pid, says, hint }) => {
    makeJournal(join(dir, "fedmigrate.db"), { pid, heartbeatAt: new Date().toISOString() });
    const { code, check } = await doctor(envFor(), dir);
    expect(code).toBe(0);
    expect(check("journal").status).toBe("warn");
    expect(check("journal").message).toMatch(says);
    expect(check("journal").hint).toMatch(hint);
  });

  it("fails, exit 1, on a file that is not a journal, and leaves it as it is", async () => {
    const path = join(dir, "fedmigrate.db");
    writeFileSync(path, "not a database at all, just text that is long enough to be a header\n".repeat(4));
    const { code, check } = await doctor(envFor(), dir);
    expect(code).toBe(1);
    expect(check("journal").status).toBe("fail");
    expect(check("journal").message).toContain(path);
    expect(readdirSync(dir)).toEqual(["fedmigrate.db"]);
  });

  it("fails, exit 1, when the journal's directory does not exist, and creates nothing", async () => {
    const path = join(dir, "missing", "fedmigrate.db");
    const { code, check } = await doctor(envFor({ FEDMIGRATE_JOURNAL: path }), dir);
    expect(code).toBe(1);
    expect(check("journal").message).toContain(`${join(dir, "missing")} does not exist`);
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });

  it.each([
    ["a directory that does not exist", (d: string) => join(d, "missing", "fedmigrate.db")],
    [
      "a file where its directory should be",
      (d: string) => {
        writeFileSync(join(d, "plain-file"), "x");
        return join(d, "plain-file", "fedmigrate.db");
      },
    ],
  ])("says what migrate would say about a journal in %s (one check, in the journal)", async (_, place) => {
    const path = place(dir);
    let migrateWords = "";
    try {
      openJournal(path).close();
    } catch (error) {
      migrateWords = (error as Error).message;
    }
    expect(migrateWords).toMatch(/^Cannot create the journal /);
    const { code, check } = await doctor(envFor({ FEDMIGRATE_JOURNAL: path }), dir);
    expect(code).toBe(1);
    expect(check("journal").message).toContain(migrateWords);
  });
});

afterAll(() => {
  expect(printed.length).toBeGreaterThan(0);
  for (const text of printed) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(FORBIDDEN);
    expect(text).not.toContain("tok-doctor-wrong-0000");
    expect(text).not.toContain("tok-doctor-env-ignored");
  }
});
