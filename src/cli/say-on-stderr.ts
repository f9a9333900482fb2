import { terminalSafe } from "../report/terminal-safe.js";
import type { CliIo } from "./context.js";

/**
 * A message for the operator on stderr. On a terminal it is plain words; off a terminal stderr
 * carries only JSON lines (SPEC section 5), shaped like the logger's, so collectors parse every line.
 */
export function sayOnStderr(
  io: CliIo,
  level: "error" | "warn" | "info",
  event: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  if (io.stderr.isTTY) {
    const hint = typeof extra.hint === "string" && extra.hint ? `\n${extra.hint}` : "";
    // The logger's scrub does not run here: redact and neutralize the same way.
    io.stderr.write(terminalSafe(`fedmigrate: ${message}${hint}\n`));
    return;
  }
  io.stderr.write(
    terminalSafe(
      `${JSON.stringify({ level, time: new Date().toISOString(), event, ...extra, msg: message })}\n`,
      { json: true },
    ),
  );
}
