import { TerminalOutput } from "../report/terminal-output.js";
import { terminalSafe } from "../report/terminal-safe.js";
import type { CliIo } from "./context.js";

/** How stderr is written: log level and line format, as `--log-level` and `--log-format` say. */
export interface StderrSettings {
  /** A pino level name; `silent`: nothing at all on stderr. */
  level: string | undefined;
  /** `json`: pino JSON lines only; `text`: lines for people. */
  format: "json" | "text";
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
const settings = new WeakMap<CliIo, StderrSettings>();
const outputs = new WeakMap<CliIo, TerminalOutput>();

/**
 * The stderr settings of `argv`, read before yargs (whose own errors must already honour them):
 * `--log-level X`/`--log-level=X`, `--log-format X` or FEDMIGRATE_LOG_FORMAT (`json` or `text`).
 */
export function stderrSettingsFrom(argv: readonly string[], env: NodeJS.ProcessEnv): StderrSettings {
  const value = (name: string): string | undefined => {
    let found: string | undefined;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] as string;
      if (arg === "--") break;
      if (arg === `--${name}`) found = argv[i + 1];
      else if (arg.startsWith(`--${name}=`)) found = arg.slice(name.length + 3);
    }
    return found;
  };
  const format = (value("log-format") ?? env.FEDMIGRATE_LOG_FORMAT ?? "").trim().toLowerCase();
  return { level: value("log-level"), format: format === "json" ? "json" : "text" };
}

/** Records `io`'s stderr settings (main does, once it has read argv). */
export function setStderrSettings(io: CliIo, value: StderrSettings): void {
  settings.set(io, value);
}

export function stderrSettings(io: CliIo): StderrSettings {
  return settings.get(io) ?? stderrSettingsFrom([], io.env);
}

/** The one writer of `io`'s stderr: log lines go above a progress bar, never over it. */
export function stderrOutput(io: CliIo): TerminalOutput {
  let out = outputs.get(io);
  if (out === undefined) {
    out = new TerminalOutput(io.stderr);
    outputs.set(io, out);
  }
  return out;
}

/** Whether a message at `level` is written under `io`'s `--log-level` (always, when none is given). */
function shown(io: CliIo, level: string): boolean {
  const configured = stderrSettings(io).level;
  if (configured === undefined) return true;
  if (configured === "silent") return false;
  const at = LEVELS.indexOf(configured);
  return at < 0 || LEVELS.indexOf(level) >= at;
}

/**
 * A message for the operator on stderr: `fedmigrate: message` and its hint, in plain words on a
 * terminal and off one; with `--log-format json`, a JSON line shaped like the logger's, so
 * collectors parse every line. `--log-level` applies: `silent` leaves stderr empty (the exit
 * code, and `--json` on stdout, still say what happened).
 */
export function sayOnStderr(
  io: CliIo,
  level: "error" | "warn" | "info",
  event: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  if (!shown(io, level)) return;
  const out = stderrOutput(io);
  if (stderrSettings(io).format === "json") {
    out.write(
      terminalSafe(
        `${JSON.stringify({ level, time: new Date().toISOString(), event, ...extra, msg: message })}\n`,
        { json: true },
      ),
    );
    return;
  }
  const hint = typeof extra.hint === "string" && extra.hint ? `\n${extra.hint}` : "";
  // Off a terminal (a CI log, cron mail) the level says what kind of message it is; no colour either way.
  const kind = io.stderr.isTTY || level === "info" ? "" : `${level}: `;
  // The logger's scrub does not run here: redact and neutralize the same way.
  out.write(terminalSafe(`fedmigrate: ${kind}${message}${hint}\n`));
}
