import { afterEach, describe, expect, it } from "vitest";
import { makeWorkspace, type Workspace } from "../e2e/cli-harness.js";
import { TMUX, TmuxTerminal } from "./tmux-terminal.js";

/**
 * The CLI in a real pseudo-terminal 80 columns wide (tmux), as a person at a terminal sees it:
 * tables that fit, a question before anything is sent, a bar that stays below the logs, and a
 * terminal left as it was found, even after two Ctrl-C. Skipped, saying so, without tmux
 * (`apt-get install tmux`; .ci/run installs it).
 */
if (!TMUX) {
  console.warn("test/terminal: tmux is not installed: the terminal tests are skipped (apt-get install tmux)");
}

const WIDTH = 80;

describe.skipIf(!TMUX)("at a terminal 80 columns wide", () => {
  let ws: Workspace;
  let term: TmuxTerminal;

  afterEach(async () => {
    term?.close();
    await ws?.close();
  });

  async function setUp(options: Parameters<typeof makeWorkspace>[0]) {
    ws = await makeWorkspace(options);
    term = new TmuxTerminal(ws.dir, WIDTH);
  }

  /** The widest line of the pane, or of its part from the first line matching `from`. */
  function widest(name: string, from?: RegExp): { width: number; text: string } {
    let lines = term.lines(name);
    if (from) lines = lines.slice(lines.findIndex((line) => from.test(line.text)));
    return lines.reduce((a, b) => (b.width > a.width ? b : a), { width: 0, text: "" });
  }

  function posts(): number {
    return ws.sim.requestLog().filter((entry) => entry.method === "POST").length;
  }

  it("plan, migrate's summary and failure table, status and history fit 80 columns", async () => {
    await setUp({ count: 24, seed: 7, datasourceFaults: { aborted: 0.2, "incomplete-always": 0.1 } });
    const plan = term.start(["plan", ws.manifest], ws.env);
    expect(await term.exitCode(plan)).toBe(0);
    expect(widest(plan).width).toBeLessThanOrEqual(WIDTH);
    expect(term.text(plan)).toMatch(/^ACTION +DATASOURCE +TARGET/m);

    const migrate = term.start(["migrate", ws.manifest, "--yes"], ws.env);
    expect(await term.exitCode(migrate)).toBe(1);
    const summary = term.text(migrate);
    expect(summary).toMatch(/^OUTCOME +DATASOURCE +TOE/m);
    expect(summary).toMatch(/^Next: /m);
    // The summary and the log lines above it (wrapped at spaces, continuation lines indented).
    expect(widest(migrate).width).toBeLessThanOrEqual(WIDTH);

    const status = term.start(["status"], ws.env);
    expect(await term.exitCode(status)).toBe(0);
    const statusText = term.text(status);
    expect(widest(status).width).toBeLessThanOrEqual(WIDTH);
    // What needs attention comes first, and says so.
    expect(statusText).toMatch(/^DATASOURCE +NOW +LAST ATTEMPT\n\S+ +needs attention/m);

    const history = term.start(["history"], ws.env);
    expect(await term.exitCode(history)).toBe(0);
    expect(widest(history).width).toBeLessThanOrEqual(WIDTH);
    expect(term.text(history)).toMatch(/^RUN +COMMAND +STATUS/m);

    // --wide gives everything: the plan's table is then wider than the terminal.
    const wide = term.start(["status", "--wide"], ws.env);
    expect(await term.exitCode(wide)).toBe(0);
    expect(widest(wide).width).toBeGreaterThan(WIDTH);
  });

  it("migrate shows the plan and waits for an answer, sending nothing before it; 'no' sends nothing", async () => {
    await setUp({ count: 5, seed: 3 });
    const asked = term.start(["migrate", ws.manifest], ws.env);
    await term.waitFor(asked, /Migrate 5 datasources on .* now\? Type 'yes' \(or 'y'\) to go on:/);
    expect(posts()).toBe(0);
    term.keys(asked, "n", "Enter");
    expect(await term.exitCode(asked)).toBe(1);
    expect(term.text(asked)).toContain("Nothing was sent.");
    expect(posts()).toBe(0);

    const yes = term.start(["migrate", ws.manifest], ws.env);
    await term.waitFor(yes, /Type 'yes' \(or 'y'\) to go on:/);
    expect(posts()).toBe(0);
    term.keys(yes, "yes", "Enter");
    expect(await term.exitCode(yes)).toBe(0);
    expect(posts()).toBe(5);
  });

  it("rollback asks too; --yes does not", async () => {
    await setUp({ count: 3, seed: 5 });
    const migrate = term.start(["migrate", ws.manifest, "--yes"], ws.env);
    expect(await term.exitCode(migrate)).toBe(0);
    const rollback = term.start(["rollback", "--all"], ws.env);
    await term.waitFor(rollback, /Reverse 3 datasources .* now\? Type 'yes' \(or 'y'\) to go on:/);
    expect(posts()).toBe(3);
    term.keys(rollback, "y", "Enter");
    expect(await term.exitCode(rollback)).toBe(0);
    expect(posts()).toBe(6);
  });

  it("logs print above the bar, never over it; the bar fits and is gone before the summary", async () => {
    await setUp({ count: 30, seed: 9, migrateLatencyMs: 60, datasourceFaults: { aborted: 0.3 } });
    const run = term.start(["migrate", ws.manifest, "--yes", "--concurrency", "1"], ws.env);
    // While it runs: the bar is the last line, as wide as the terminal at most, with log lines above.
    const live = await term.waitFor(run, /ERROR item\.failed[^\n]*\n(?:.*\n)*migrate \[#*\.*\] \d+\/\d+/);
    const lines = live.split("\n").filter((line) => line !== "");
    const bar = lines[lines.length - 1] as string;
    expect(bar).toMatch(/^migrate \[[#.]+\] \d+\/30 {2}ok \d+/);
    expect([...bar].length).toBeLessThan(WIDTH);
    for (const line of lines.slice(0, -1)) expect(line).not.toMatch(/\[[#.]{5,}\]/);
    expect(await term.exitCode(run)).toBe(1);
    const done = term.text(run);
    expect(done).not.toMatch(/\[[#.]{5,}\] \d+\/30/);
    // Each failed entry is logged once, at error, above where the summary begins.
    expect(done.indexOf("ERROR item.failed")).toBeLessThan(
      done.indexOf("Failures (give Domo support the toe)"),
    );
  });

  it("two Ctrl-C leave the cursor shown and line wrap on; the summary says once how to go on", async () => {
    await setUp({ count: 40, seed: 4, migrateLatencyMs: 200 });
    const first = term.start(["migrate", ws.manifest, "--yes", "--concurrency", "1"], ws.env);
    await term.waitFor(first, /migrate \[#*\.*\] [1-9]\d*\/40/);
    term.keys(first, "C-c");
    expect(await term.exitCode(first)).toBe(130);
    const once = term.text(first);
    expect(once).toMatch(/not started/);
    expect(once.match(/again to continue/g)).toHaveLength(1);
    expect(term.modes(first)).toEqual({ cursor: true, wrap: true });

    const second = term.start(["migrate", ws.manifest, "--yes", "--concurrency", "1"], ws.env);
    await term.waitFor(second, /migrate \[#*\.*\] [1-9]\d*\/\d+/);
    expect(term.modes(second).cursor).toBe(false);
    term.keys(second, "C-c");
    // Signals sent together may arrive as one: the second goes once the first is heard.
    await term.waitFor(second, /SIGINT: starting nothing new/);
    term.keys(second, "C-c");
    expect(await term.exitCode(second)).toBe(130);
    expect(term.modes(second)).toEqual({ cursor: true, wrap: true });
    // The second message is whole, on its own line, and no bar is left behind.
    expect(term.text(second).replace(/\n\s+/g, " ")).toMatch(
      /exiting at once; the next run resolves requests left in flight/,
    );
    expect(term.text(second)).not.toMatch(/\[[#.]{5,}\] \d+\/\d+/);
  });

  it("colours states on a terminal; NO_COLOR turns colour off", async () => {
    await setUp({ count: 3, seed: 2 });
    const migrate = term.start(["migrate", ws.manifest, "--yes"], ws.env);
    expect(await term.exitCode(migrate)).toBe(0);
    const coloured = term.start(["status"], ws.env);
    expect(await term.exitCode(coloured)).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC.
    expect(term.withEscapes(coloured)).toMatch(/\x1b\[32mon V2/);
    const plain = term.start(["status"], { ...ws.env, NO_COLOR: "1" });
    expect(await term.exitCode(plain)).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC.
    expect(term.withEscapes(plain)).not.toMatch(/\x1b\[3\dm/);
  });
});
