import { createInterface } from "node:readline";
import type { CliIo } from "./context.js";

/** Whether a person can answer: stdin and stdout are both a terminal. */
export function canAsk(io: CliIo): boolean {
  return Boolean(io.stdin?.isTTY) && Boolean(io.stdout.isTTY);
}

/** What the operator answered: only `yes`/`y` (any case) goes on; Ctrl-C or end of input is a no. */
export type Answer = "yes" | "no" | "interrupted";

/**
 * Asks `question` on the terminal and waits for a line. Nothing else runs meanwhile: the caller
 * sends no request before the answer (SPEC section 4).
 */
export function askToProceed(
  io: CliIo,
  question: string,
  output: NodeJS.WritableStream = io.stdout,
): Promise<Answer> {
  const input = io.stdin as NodeJS.ReadableStream;
  const rl = createInterface({ input, output, terminal: true });
  return new Promise<Answer>((resolve) => {
    let settled = false;
    const settle = (answer: Answer) => {
      if (settled) return;
      settled = true;
      rl.close();
      // A paused stdin does not hold the process open once the run is over.
      input.pause();
      resolve(answer);
    };
    rl.on("SIGINT", () => {
      output.write("\n");
      settle("interrupted");
    });
    rl.on("close", () => settle("no"));
    rl.question(question, (line) => settle(/^\s*(y|yes)\s*$/i.test(line) ? "yes" : "no"));
  });
}
