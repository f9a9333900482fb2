import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { barLine, createProgressBar } from "../../src/report/progress-bar.js";
import { RESTORE_TERMINAL, TerminalOutput } from "../../src/report/terminal-output.js";

const STATE = { label: "migrate", total: 36, done: 0, ok: 0, failed: 0, retried: 0, elapsedMs: 0 };

class Screen extends Writable {
  text = "";
  columns = 80;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe("barLine", () => {
  it.each([40, 60, 80, 120, 200])("fits %i columns (one to spare, so it never wraps)", (columns) => {
    const line = barLine({ ...STATE, done: 12, ok: 10, failed: 2, retried: 3, elapsedMs: 24_000 }, columns);
    expect(line.length).toBeLessThan(columns);
    expect(line).toContain("12/36");
  });

  it("shows an ETA only once something has finished", () => {
    expect(barLine(STATE, 80)).not.toContain("left");
    expect(barLine({ ...STATE, done: 6, ok: 6, elapsedMs: 12_000 }, 80)).toContain("~1m00s left");
  });

  it("counts retries and failures once there are some", () => {
    expect(barLine(STATE, 80)).not.toMatch(/failed|retried/);
    expect(barLine({ ...STATE, done: 2, ok: 1, failed: 1, retried: 4 }, 80)).toMatch(/failed 1 {2}retried 4/);
  });
});

describe("TerminalOutput", () => {
  it("writes log lines above the bar, redraws it beneath, and restores the terminal when it goes", () => {
    const screen = new Screen();
    const out = new TerminalOutput(screen);
    const exitListeners = process.listenerCount("exit");
    let now = 0;
    const bar = createProgressBar(out, 3, "migrate", () => now);
    // While the bar shows, an exit (a second Ctrl-C, a crash) restores the terminal.
    expect(process.listenerCount("exit")).toBe(exitListeners + 1);
    out.write("a log line\n");
    now = 1000;
    bar.itemDone("complete");
    bar.retried();
    bar.stop();
    // The line starts on a cleared line and the bar follows it, never the other way round.
    expect(screen.text).toContain("\r\x1b[2Ka log line\nmigrate [");
    expect(screen.text).toContain("retried 1");
    expect(screen.text.endsWith(`\r\x1b[2K${RESTORE_TERMINAL}`)).toBe(true);
    expect(process.listenerCount("exit")).toBe(exitListeners);
  });

  it("writes straight through when no bar shows", () => {
    const screen = new Screen();
    new TerminalOutput(screen).write("plain\n");
    expect(screen.text).toBe("plain\n");
  });
});
