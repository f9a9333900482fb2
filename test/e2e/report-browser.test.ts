import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttemptRow } from "../../src/journal/types.js";
import { ROWS_DRAWN, renderHtmlReport } from "../../src/report/render-html-report.js";
import { buildRunView } from "../../src/report/run-view.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { anAttemptRow, aRunRow } from "../report/report-fixtures.js";
import { makeWorkspace, runCli, type Workspace } from "./cli-harness.js";

/** Debian's package, installed by .ci/run (and by any developer with apt-get): never a download. */
const CHROMIUM = "/usr/bin/chromium";
const REPO = path.resolve(import.meta.dirname, "../..");
const ARTIFACT = path.join(REPO, "test-results", "report-browser.png");
/** The README's picture: refreshed only on request, so a test run leaves the tree as it was. */
const DOCS_SCREENSHOT = path.join(REPO, "docs", "report-screenshot.png");

const inCi = Boolean(process.env.CI) && !["0", "false"].includes(String(process.env.CI).toLowerCase());
const hasChromium = existsSync(CHROMIUM);
// Off CI, a machine without chromium skips and says why; in CI the prerequisite test below fails.
const skip = !hasChromium && !inCi;
const SKIP_REASON = `skipped: ${CHROMIUM} is absent (apt-get install chromium); with CI set this test fails instead`;
if (skip) console.warn(`report-browser.test.ts ${SKIP_REASON}`);

const HOSTILE_SCRIPT = "<script>alert(1)</script>";
const HOSTILE_IMG = "<img src=x onerror=alert(2)>";

interface Observed {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  requests: string[];
}

let ws: Workspace | undefined;
let browser: Browser | undefined;
let page: Page;
let seen: Observed;
let expected: { datasources: number; requests: number; states: Map<string, string> };

/** A run with failures: one ABORTED, one INCOMPLETE, retries, 429s with Retry-After, hostile names. */
function failingFixture() {
  const fixture = generateFixture({
    count: 24,
    seed: 11,
    latencyMs: 0,
    migrateLatencyMs: { min: 40, max: 260 },
    faults: { rate429: 0.15, retryAfterSeconds: 1 },
  });
  const set = (
    index: number,
    change: { name?: string; fault?: (typeof fixture.datasources)[number]["fault"] },
  ) => {
    const ds = fixture.datasources[index];
    if (!ds) throw new Error(`the fixture has no datasource ${index}`);
    Object.assign(ds, change);
  };
  set(2, { name: HOSTILE_SCRIPT });
  set(5, { name: HOSTILE_IMG, fault: "aborted" });
  set(9, { fault: "incomplete-always" });
  set(13, { fault: "status-503-once" });
  set(17, { fault: "drop-before-apply-once" });
  return fixture;
}

/** Resolves once the filter says it shows `n` rows (the filter is debounced: wait for it, not for time). */
async function waitForShown(n: number): Promise<void> {
  await page
    .locator("#f-shown")
    .filter({ hasText: new RegExp(`^${n}$`) })
    .waitFor();
}

async function visibleRows(): Promise<number> {
  return page.locator("#entries tbody tr:not([hidden])").count();
}

describe("the report's browser test prerequisites", () => {
  it.skipIf(skip)(`Debian's chromium is at ${CHROMIUM}`, () => {
    expect(hasChromium, `CI needs Debian's chromium at ${CHROMIUM}: .ci/run installs it with apt-get`).toBe(
      true,
    );
  });
});

describe.skipIf(!hasChromium)(`fedmigrate report in Chromium${skip ? ` (${SKIP_REASON})` : ""}`, () => {
  beforeAll(async () => {
    ws = await makeWorkspace(failingFixture());
    const migrate = await runCli(["migrate", ws.manifest, "--concurrency", "4"], ws.env);
    expect(migrate.stderr).not.toContain("internal error");
    expect(migrate.code).toBe(1);

    const html = path.join(ws.dir, "report.html");
    const report = await runCli(
      ["report", "--last", "--html", html, "--md", path.join(ws.dir, "report.md")],
      ws.env,
    );
    expect(report.stderr).toBe("");
    expect(report.code).toBe(0);

    const rows = ws.attempts();
    const states = new Map<string, string>();
    for (const row of rows) states.set(row.datasource_id, row.state);
    expected = { datasources: states.size, requests: rows.length, states };

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    seen = { consoleErrors: [], pageErrors: [], dialogs: [], requests: [] };
    page.on("console", (message) => {
      if (message.type() === "error") seen.consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => seen.pageErrors.push(error.message));
    page.on("dialog", (dialog) => {
      seen.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("request", (request) => seen.requests.push(request.url()));
    await page.goto(`file://${html}`, { waitUntil: "load" });
  });

  afterAll(async () => {
    await browser?.close();
    await ws?.close();
  });

  it("opens with no console error, no script error, no dialog and no request beyond the file", () => {
    expect(seen.consoleErrors).toEqual([]);
    expect(seen.pageErrors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(seen.requests.filter((url) => !url.startsWith("file:") && !url.startsWith("data:"))).toEqual([]);
  });

  it("has one table row per datasource the run sent, with its final state", async () => {
    expect(expected.datasources).toBe(24);
    expect(await page.locator("#entries tbody tr").count()).toBe(expected.datasources);
    const ids = await page.locator("#entries tbody td:nth-child(2)").allTextContents();
    const states = await page
      .locator("#entries tbody tr")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-s") ?? ""));
    expect(new Map(ids.map((id, i) => [id, states[i]]))).toEqual(expected.states);
    expect(await page.locator("#f-shown").textContent()).toBe(String(expected.datasources));
  });

  it("draws one timeline bar per request", async () => {
    expect(await page.locator("#timeline-chart rect[data-id]").count()).toBe(expected.requests);
  });

  it("filters by outcome", async () => {
    const count = (state: string) => [...expected.states.values()].filter((s) => s === state).length;
    for (const [option, rows] of [
      ["ABORTED", count("ABORTED")],
      ["INCOMPLETE", count("INCOMPLETE")],
      ["not-complete", expected.datasources - count("COMPLETE")],
      ["COMPLETE", count("COMPLETE")],
      ["", expected.datasources],
    ] as const) {
      await page.selectOption("#f-state", option);
      expect(await visibleRows(), `outcome filter ${option || "all"}`).toBe(rows);
      expect(await page.locator("#f-shown").textContent()).toBe(String(rows));
    }
    expect(count("ABORTED")).toBe(1);
    expect(count("INCOMPLETE")).toBe(1);
  });

  it("filters by text", async () => {
    await page.fill("#f-text", "alert(1)");
    await waitForShown(1);
    expect(await visibleRows()).toBe(1);
    await page.fill("#f-text", "");
    await waitForShown(expected.datasources);
  });

  it("renders hostile names as text", async () => {
    const names = await page.locator("#entries tbody td:nth-child(3)").allTextContents();
    expect(names).toContain(HOSTILE_SCRIPT);
    expect(names).toContain(HOSTILE_IMG);
    expect(await page.locator("#failure-table td", { hasText: HOSTILE_IMG }).count()).toBe(1);
    expect(await page.evaluate("document.scripts.length")).toBe(1);
    expect(await page.locator("main img").count()).toBe(0);
    expect(seen.dialogs).toEqual([]);
  });

  it("sorts by a column when its heading is clicked", async () => {
    const durations = async () =>
      page
        .locator("#entries tbody td:nth-child(7)")
        .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute("data-k"))));
    await page.click("#entries th:nth-child(7) button");
    const ascending = await durations();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.click("#entries th:nth-child(7) button");
    const descending = await durations();
    expect(descending).toEqual([...ascending].reverse());
    expect(await page.getAttribute("#entries th:nth-child(7)", "aria-sort")).toBe("descending");
    expect(new Set(ascending).size).toBeGreaterThan(1);
  });

  it("takes a screenshot (a test artifact; FEDMIGRATE_UPDATE_SCREENSHOT=1 also refreshes the README's)", async () => {
    await page.click("#entries th:nth-child(8) button");
    mkdirSync(path.dirname(ARTIFACT), { recursive: true });
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: ARTIFACT });
    expect(existsSync(ARTIFACT)).toBe(true);
    if (process.env.FEDMIGRATE_UPDATE_SCREENSHOT === "1") {
      mkdirSync(path.dirname(DOCS_SCREENSHOT), { recursive: true });
      copyFileSync(ARTIFACT, DOCS_SCREENSHOT);
    }
    expect(seen.consoleErrors).toEqual([]);
  });
});

/** A night's batch and then some: 10,000 entries, every 50th rate limited once, every 97th ABORTED. */
function bigRun(): { rows: AttemptRow[]; aborted: number } {
  const rows: AttemptRow[] = [];
  let aborted = 0;
  for (let i = 0; i < 10_000; i += 1) {
    const start = Math.floor(i / 8) * 1000;
    const id = `ds-${String(i).padStart(5, "0")}`;
    if (i % 50 === 0) {
      rows.push(anAttemptRow(id, "FAILED", start, start + 100, { httpStatus: 429 }));
      rows.push(anAttemptRow(id, "COMPLETE", start + 200, start + 900, { attempt: 2 }));
    } else if (i % 97 === 0) {
      rows.push(anAttemptRow(id, "ABORTED", start, start + 900));
      aborted += 1;
    } else {
      rows.push(anAttemptRow(id, "COMPLETE", start, start + 900));
    }
  }
  return { rows, aborted };
}

describe.skipIf(!hasChromium)("a 10,000-entry report in Chromium", () => {
  const timings: Record<string, number> = {};
  let big: Browser | undefined;
  let bigPage: Page;
  let errors: string[];
  let aborted: number;

  /** How long `action` took, in ms, kept for the figures file (never asserted: a test is no bench). */
  async function timed(label: string, action: () => Promise<unknown>): Promise<void> {
    const start = performance.now();
    await action();
    timings[label] = Math.round(performance.now() - start);
  }

  async function shown(n: number): Promise<void> {
    await bigPage
      .locator("#f-shown")
      .filter({ hasText: new RegExp(`^${n}$`) })
      .waitFor();
  }

  beforeAll(async () => {
    const run = bigRun();
    aborted = run.aborted;
    const html = renderHtmlReport(buildRunView(aRunRow(), run.rows), {
      generatedAt: "2026-11-28T02:00:00.000Z",
      version: "test",
    });
    const file = path.join(REPO, "test-results", "report-10k.html");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, html);
    timings.bytes = Buffer.byteLength(html);
    big = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    bigPage = await big.newPage({ viewport: { width: 1280, height: 900 } });
    errors = [];
    bigPage.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    bigPage.on("pageerror", (e) => errors.push(e.message));
    await timed("loadMs", () => bigPage.goto(`file://${file}`, { waitUntil: "load" }));
  });

  afterAll(async () => {
    await big?.close();
    // The figures, for people (bench/ has the project's figures; this page's are here).
    writeFileSync(
      path.join(REPO, "test-results", "report-10k-timings.json"),
      `${JSON.stringify(timings, null, 2)}\n`,
    );
  });

  const drawn = () => bigPage.locator("#entries tbody tr:not([hidden])").count();

  it("opens with one row per entry, the first 1,000 drawn, and no script error", async () => {
    expect(await bigPage.locator("#entries tbody tr").count()).toBe(10_000);
    expect(await drawn()).toBe(ROWS_DRAWN);
    expect(await bigPage.locator("#f-cut").isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it("filters by outcome and by text", async () => {
    await timed("filterAbortedMs", async () => {
      await bigPage.selectOption("#f-state", "ABORTED");
      await shown(aborted);
    });
    expect(await bigPage.locator("#entries tbody tr:not([hidden])").count()).toBe(aborted);
    await bigPage.selectOption("#f-state", "");
    await shown(10_000);
    await timed("filterTextMs", async () => {
      await bigPage.fill("#f-text", "ds-04321");
      await shown(1);
    });
    await bigPage.fill("#f-text", "");
    await shown(10_000);
  });

  it("sorts 10,000 rows by a column", async () => {
    const ids = () => bigPage.locator("#entries tbody tr:first-child td:nth-child(2)").textContent();
    const heading = "#entries th:nth-child(2)";
    await timed("sortMs", async () => {
      await bigPage.click(`${heading} button`);
      // Ascending after a first click; a second makes it descending with the last id first.
      await bigPage.click(`${heading} button`);
      await bigPage.waitForFunction(
        `document.querySelector(${JSON.stringify(heading)})?.getAttribute("aria-sort") === "descending"`,
      );
    });
    expect(await ids()).toBe("ds-09999");
    // The first 1,000 in the new order are the ones drawn.
    expect(await drawn()).toBe(ROWS_DRAWN);
    expect(
      await bigPage.locator("#entries tbody tr:not([hidden]) td:nth-child(2)").last().textContent(),
    ).toBe(`ds-${String(10_000 - ROWS_DRAWN).padStart(5, "0")}`);
    expect(errors).toEqual([]);
  });

  it("draws all 10,000 on 'Show all', and a filter then covers them all", async () => {
    await timed("showAllMs", async () => {
      await bigPage.click("#f-more");
      await bigPage.locator("#f-cut").waitFor({ state: "hidden" });
    });
    expect(await drawn()).toBe(10_000);
    await bigPage.selectOption("#f-state", "ABORTED");
    await shown(aborted);
    expect(await drawn()).toBe(aborted);
    expect(errors).toEqual([]);
  });
});
