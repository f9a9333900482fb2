import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLI } from "../e2e/cli-harness.js";
import { captureText } from "../leak/leak-capture.js";

/** Debian's tmux: a real pseudo-terminal the CLI draws on, read back as a person would see it. */
export const TMUX = ["/usr/bin/tmux", "/usr/local/bin/tmux"].find((file) => existsSync(file));

/** How a line in the pane looks: its text (wrapped lines joined) and its columns. */
export interface PaneLine {
  text: string;
  width: number;
}

/**
 * One tmux server of our own (its own socket, so no user session is touched), one window 80
 * columns wide per command. The command runs under `sh`, which prints `[exit N]` after it, so a
 * test waits for that line rather than for time.
 */
export class TmuxTerminal {
  private readonly socket = `fedmigrate-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private count = 0;
  /** The env files (they hold the test's token): outside the workspace, which the leak scan reads. */
  private readonly envDir = mkdtempSync(path.join(tmpdir(), "fedmigrate-tmux-env-"));

  constructor(
    private readonly dir: string,
    private readonly columns = 80,
    private readonly rows = 40,
  ) {}

  private tmux(...args: string[]): string {
    return execFileSync(TMUX as string, ["-L", this.socket, "-f", "/dev/null", ...args], {
      encoding: "utf8",
    });
  }

  /**
   * Starts `fedmigrate args…` in a new window with `env` (written to a 0600 file and sourced,
   * so a token never sits on a command line). Returns the window's name.
   */
  start(args: readonly string[], env: NodeJS.ProcessEnv): string {
    const name = `w${++this.count}`;
    const envFile = path.join(this.envDir, `${name}.env`);
    const lines = Object.entries({ TERM: "xterm-256color", ...env })
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `export ${key}=${shellQuote(String(value))}`);
    // Nothing from the test's own environment decides colour or CI mode: only `env`.
    for (const name of ["CI", "NO_COLOR", "FORCE_COLOR", "FEDMIGRATE_LOG_FORMAT"]) {
      if (env[name] === undefined) lines.push(`unset ${name}`);
    }
    writeFileSync(envFile, `${lines.join("\n")}\n`, { mode: 0o600 });
    const command = [
      // Ctrl-C goes to the whole foreground group: the shell carries on to print the exit code.
      "trap true INT",
      `. ${shellQuote(envFile)}`,
      `cd ${shellQuote(this.dir)}`,
      `${shellQuote(process.execPath)} ${shellQuote(CLI)} ${args.map(shellQuote).join(" ")}`,
      'echo "[exit $?]"',
      "sleep 600",
    ].join("; ");
    this.tmux(
      "new-session",
      "-d",
      "-s",
      name,
      "-x",
      String(this.columns),
      "-y",
      String(this.rows),
      "sh",
      "-c",
      command,
    );
    return name;
  }

  /** The pane's text, wrapped lines joined (so a line wider than the terminal shows as one). */
  lines(name: string): PaneLine[] {
    const text = this.tmux("capture-pane", "-p", "-J", "-t", name, "-S", "-2000");
    captureText(`tmux-${name}`, text);
    return text
      .split("\n")
      .map((line) => line.trimEnd())
      .map((line) => ({ text: line, width: [...line].length }));
  }

  /** The pane with its escape sequences (colours), as `capture-pane -e` gives it. */
  withEscapes(name: string): string {
    return this.tmux("capture-pane", "-p", "-e", "-t", name, "-S", "-2000");
  }

  text(name: string): string {
    return this.lines(name)
      .map((line) => line.text)
      .join("\n");
  }

  /** Waits until the pane shows `pattern`; throws with the pane's text after `limitMs`. */
  async waitFor(name: string, pattern: RegExp, limitMs = 30_000): Promise<string> {
    const until = Date.now() + limitMs;
    for (;;) {
      const text = this.text(name);
      if (pattern.test(text)) return text;
      if (Date.now() > until) throw new Error(`the terminal never showed ${pattern}:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The exit code the command ended with, once it has. */
  async exitCode(name: string): Promise<number> {
    const text = await this.waitFor(name, /\[exit \d+\]/);
    return Number(/\[exit (\d+)\]/.exec(text)?.[1]);
  }

  keys(name: string, ...keys: string[]): void {
    this.tmux("send-keys", "-t", name, ...keys);
  }

  /** The terminal's modes as tmux holds them: whether the cursor shows and lines wrap. */
  modes(name: string): { cursor: boolean; wrap: boolean } {
    const [cursor, wrap] = this.tmux("display-message", "-p", "-t", name, "#{cursor_flag} #{wrap_flag}")
      .trim()
      .split(" ");
    return { cursor: cursor === "1", wrap: wrap === "1" };
  }

  close(): void {
    spawnSync(TMUX as string, ["-L", this.socket, "kill-server"]);
    rmSync(this.envDir, { recursive: true, force: true });
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}
