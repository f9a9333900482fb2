import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { DOMParser } from "@xmldom/xmldom";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureTree, registerToken } from "../leak/leak-capture.js";
import { scanForTokens } from "../leak/scan-for-tokens.js";
import { TOKEN_ENCODINGS, type TokenEncoding, tokenEncodings } from "../leak/token-encodings.js";
import { type CliResult, runCli } from "./cli-harness.js";

/**
 * Issue 15, as an attacker would try it: a hostile Domo on loopback (127.0.0.2, with a proxy
 * catcher in HTTP(S)_PROXY) that echoes the developer token it is sent in every encoding a server
 * may use — in a non-200 body, in the HTTP reason phrase, in a 200 record's errorMessage and toe,
 * in account and candidate names, in type names, in a redirect's Location — and sends terminal
 * control sequences (clear screen, window title, OSC 8 link, 8-bit CSI, bidi override) and `]]>`
 * in the same strings. Everything the CLI leaves behind is then searched: stdout and stderr of
 * every command, the journal and its WAL, --json, --report, --junit, the HTML and Markdown
 * reports, the CI step summary, status, history, doctor and a `discover --out` manifest.
 */
const API = "/api/query/migration/federated/v1/to/v2";
/** Every escape a server may echo the token in (UTF-16 is a file encoding, not server text). */
const FORMS = TOKEN_ENCODINGS.filter((form) => form !== "utf16le");
/** Clear screen, home, set the title, an OSC 8 link, an 8-bit CSI, a bidi override, a BEL. */
const ESCAPES =
  "\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\u009b31m\u202eabc\x07";
/** What must never reach a terminal, a report or the journal raw. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what the test looks for.
const RAW_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** A token with every character an escape changes: all of them are allowed in a header. */
const TOKEN = `tok-${Math.random().toString(16).slice(2, 14)}"'\\/&<>+`;

interface Hostile {
  url: string;
  requests: number;
  mode: "normal" | "redirect";
  close(): Promise<void>;
}

/** A datasource per encoding, plus one answered 400 and one COMPLETE. */
const DATASOURCES = [...FORMS.map((form) => `ds-${form}`), "ds-http-400", "ds-complete"];

function formOf(datasource: string): TokenEncoding {
  return (FORMS.find((form) => datasource === `ds-${form}`) ?? "raw") as TokenEncoding;
}

async function startHostile(): Promise<Hostile> {
  const state: Hostile = { url: "", requests: 0, mode: "normal", close: async () => {} };
  const server = http.createServer((req, res) => {
    state.requests += 1;
    const token = String(req.headers["x-domo-developer-token"] ?? "");
    const enc = tokenEncodings(token);
    const all = FORMS.map((form) => enc[form]).join(" ");
    const json = (status: number, body: string, reason?: string) => {
      res.writeHead(status, reason ?? http.STATUS_CODES[status] ?? "", {
        "content-type": "application/json",
      });
      res.end(body);
    };
    if (state.mode === "redirect") {
      res.writeHead(302, `Found ${token}`, {
        location: `https://login.example/sso?token=${encodeURIComponent(token)}&raw=${token}&e=${enc["html-hex"]}`,
      });
      res.end(`<html><title>${enc["html-named"]} login</title></html>`);
      return;
    }
    const route = (req.url ?? "").slice(API.length);
    if (req.method === "GET" && route === "/types") {
      return json(200, JSON.stringify(["snowflake", `weird-${enc.percent}-${ESCAPES}`]));
    }
    if (req.method === "GET" && route.startsWith("/accounts/")) {
      if (route !== "/accounts/snowflake") return json(200, "[]");
      return json(200, JSON.stringify([{ id: "12", type: "snowflake", name: `Acct ${all} ${ESCAPES}` }]));
    }
    if (req.method === "GET" && route === "/candidates/12") {
      const candidates = DATASOURCES.map((id) => ({
        id,
        name: `cand ${enc[formOf(id)]} ${ESCAPES}`,
        migrated: false,
        migrationDate: null,
      }));
      return json(200, JSON.stringify(candidates));
    }
    const post = /^\/([^/]+)\/accounts\/12$/.exec(route);
    if (req.method === "POST" && post) {
      const id = decodeURIComponent(post[1] as string);
      if (id === "ds-http-400") {
        // The token in the reason phrase and, JSON-escaped, in the body.
        return json(
          400,
          `{"status":400,"message":"token ${enc["json-escaped"]} is not allowed here ${enc["u-escaped"]}","toe":"TOE-400-${enc["u-escaped"]}"}`,
          `Bad token ${token}`,
        );
      }
      const form = formOf(id);
      const complete = id === "ds-complete";
      // `\u` escapes written into the JSON text itself decode to the raw token.
      const body = `{"toe":"TOE-${id}-\\u001b]0;title\\u0007-${enc["u-escaped"]}","datasourceId":${JSON.stringify(id)},"direction":"V1_TO_V2","state":"${complete ? "COMPLETE" : "ABORTED"}","startTime":null,"endTime":null,"errorMessage":${complete ? "null" : JSON.stringify(`table not found for token ${enc[form]} ${ESCAPES} ]]></failure><testcase name="planted"/>`)}}`;
      return json(200, body);
    }
    return json(404, `{"message":"no route ${enc.raw}"}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.2", resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.2:${port}`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

/** A proxy that records whatever reaches it (CONNECT included) and refuses it. */
async function startCatcher() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  server.on("connect", (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The encodings of the token left in `text`. */
function leaksIn(text: string): string[] {
  const enc = tokenEncodings(TOKEN);
  return FORMS.filter((form) => text.includes(form === "base64" ? enc.base64.slice(0, -4) : enc[form]));
}

let dir: string;
let hostile: Hostile;
let catcher: Awaited<ReturnType<typeof startCatcher>>;
let env: NodeJS.ProcessEnv;
const results = new Map<string, CliResult>();

async function run(
  name: string,
  args: string[],
  extra: NodeJS.ProcessEnv = {},
  launch?: Parameters<typeof runCli>[3],
): Promise<CliResult> {
  const result = await runCli(args, { ...env, ...extra }, dir, launch);
  results.set(name, result);
  return result;
}

beforeAll(async () => {
  registerToken(TOKEN);
  dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-hostile-"));
  hostile = await startHostile();
  catcher = await startCatcher();
  const manifest = [
    "version: 1",
    "defaults:",
    '  account: "12"',
    "  catalog: ANALYTICS",
    "  schema: PUBLIC",
    "migrations:",
    // A table name the server echoes back, with a CDATA end in it.
    ...DATASOURCES.flatMap((id) => [`  - datasource: ${id}`, `    table: "T]]></system-out><x/>${id}"`]),
  ].join("\n");
  writeFileSync(path.join(dir, "migrations.yaml"), `${manifest}\n`);
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOMO_DOMAIN: hostile.url,
    DOMO_DEVELOPER_TOKEN: TOKEN,
    FEDMIGRATE_JOURNAL: path.join(dir, "fedmigrate.db"),
    FEDMIGRATE_RETRY_MIN_MS: "0",
    HTTP_PROXY: catcher.url,
    HTTPS_PROXY: catcher.url,
  };

  await run("plan", ["plan", "migrations.yaml"]);
  await run("migrate", ["migrate", "migrations.yaml", "--report", "report.json", "--junit", "junit.xml"], {
    GITHUB_STEP_SUMMARY: path.join(dir, "step-summary.md"),
  });
  await run("migrate --json", ["migrate", "migrations.yaml", "--json", "--log-level", "debug"]);
  await run("status", ["status"]);
  await run("status --json", ["status", "--json"]);
  await run("history", ["history"]);
  await run("report", ["report", "--last", "--html", "run.html", "--md", "run.md"]);
  await run("discover --out", ["discover", "--out", "discovered.yaml"]);
  await run("doctor", ["doctor"]);
  for (const mask of ["027", "077"]) {
    const umask = { prefix: ["sh", "-c", `umask ${mask}; exec "$0" "$@"`] };
    await run(
      `migrate, umask ${mask}`,
      ["migrate", "migrations.yaml", "--report", `umask-${mask}.json`],
      {},
      umask,
    );
  }
  hostile.mode = "redirect";
  await run("doctor (redirect)", ["doctor"]);
  await run("plan (redirect)", ["plan", "migrations.yaml", "--json"]);
}, 120_000);

afterAll(async () => {
  await hostile?.close();
  await catcher?.close();
  if (dir) {
    captureTree("hostile-server", dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("a hostile server echoing the token in every encoding, with terminal escapes", () => {
  it("was reached, directly: every command ran against it, none through the proxy", () => {
    expect(hostile.requests).toBeGreaterThan(10);
    expect(catcher.seen).toEqual([]);
    expect(results.get("migrate")?.code).toBe(1);
    expect(results.get("migrate --json")?.code).toBe(1);
    expect(results.get("report")?.code).toBe(0);
    expect(results.get("discover --out")?.code).toBe(0);
  });

  it("names the target instance first in plan and migrate output", () => {
    const host = new URL(hostile.url).host;
    expect(results.get("plan")?.stdout.split("\n")[0]).toBe(`Domo: ${host}`);
    expect(results.get("migrate")?.stdout.split("\n")[0]).toBe(`Domo: ${host}`);
  });

  it("stdout and stderr of every command hold no encoding of the token and no raw control character", () => {
    for (const [name, result] of results) {
      for (const [stream, text] of [
        ["stdout", result.stdout],
        ["stderr", result.stderr],
      ] as const) {
        expect(leaksIn(text), `${name}: ${stream}`).toEqual([]);
        expect(RAW_CONTROLS.exec(text)?.[0], `${name}: ${stream}`).toBeUndefined();
      }
    }
  });

  it("every file written (journal and WAL, reports, JUnit, step summary, discovered manifest) is clean", () => {
    const written = readdirSync(dir);
    expect(written).toEqual(
      expect.arrayContaining([
        "fedmigrate.db",
        "report.json",
        "junit.xml",
        "step-summary.md",
        "run.html",
        "run.md",
        "discovered.yaml",
      ]),
    );
    expect(scanForTokens(dir, [TOKEN]).leaks).toEqual([]);
    for (const file of written) {
      const text = readFileSync(path.join(dir, file)).toString("utf8");
      expect(leaksIn(text), file).toEqual([]);
      if (!file.startsWith("fedmigrate.db")) expect(RAW_CONTROLS.exec(text)?.[0], file).toBeUndefined();
    }
  });

  it("keeps what the server said, redacted and made visible, rather than dropping it", () => {
    const report = JSON.parse(readFileSync(path.join(dir, "report.json"), "utf8")) as {
      items: { datasource: string; toe: string | null; errorMessage: string | null; name: string | null }[];
    };
    const aborted = report.items.find((item) => item.datasource === "ds-html-decimal");
    expect(aborted?.errorMessage).toContain("table not found for token [REDACTED] \\x1b[2J");
    expect(aborted?.toe).toBe("TOE-ds-html-decimal-\\x1b]0;title\\x07-[REDACTED]");
    const refused = report.items.find((item) => item.datasource === "ds-http-400");
    expect(refused?.errorMessage ?? "").toContain("[REDACTED]");
    // The journal stores the same cleaned text (read as an operator would, with SQL).
    const db = new Database(path.join(dir, "fedmigrate.db"), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT toe, error_message FROM attempts").all() as {
        toe: string | null;
        error_message: string | null;
      }[];
      expect(rows.length).toBeGreaterThanOrEqual(DATASOURCES.length);
      const stored = rows.map((row) => `${row.toe ?? ""} ${row.error_message ?? ""}`).join("\n");
      expect(stored).toContain("[REDACTED]");
      expect(RAW_CONTROLS.exec(stored)?.[0]).toBeUndefined();
      expect(leaksIn(stored)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("report files follow the umask: they hold no secret, and nothing forces another mode", () => {
    expect(statSync(path.join(dir, "umask-027.json")).mode & 0o777).toBe(0o640);
    expect(statSync(path.join(dir, "umask-077.json")).mode & 0o777).toBe(0o600);
  });

  it("the JUnit file still parses, with one test case per entry and none planted", () => {
    const xml = readFileSync(path.join(dir, "junit.xml"), "utf8");
    const doc = new DOMParser({
      onError: (level: string, message: string) => {
        throw new Error(`junit.xml does not parse (${level}): ${message}`);
      },
    }).parseFromString(xml, "text/xml");
    expect(doc.getElementsByTagName("testcase")).toHaveLength(DATASOURCES.length);
    expect(xml).not.toContain("<![CDATA[");
  });

  it("a redirect's Location and reason phrase are redacted too (doctor, plan)", () => {
    const doctor = results.get("doctor (redirect)") as CliResult;
    const plan = results.get("plan (redirect)") as CliResult;
    expect(`${doctor.stdout}${doctor.stderr}`).toContain("login.example");
    expect(`${plan.stdout}${plan.stderr}`).toContain("[REDACTED]");
  });
});
