import { Writable } from "node:stream";
import { main } from "../../src/cli/main.js";
import { captureText } from "../leak/leak-capture.js";

/** A writable that keeps what is written, as a process stream would show it. */
class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI's `main` in this process with captured streams: stderr is not a terminal, so it
 * carries JSON lines, as in CI. Thousands of cases per second where spawning manages dozens.
 */
export async function runInProcess(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<InProcessResult> {
  const stdout = new Capture();
  const stderr = Object.assign(new Capture(), { isTTY: false });
  // stderr is checked line by line as JSON, as a log collector reads it.
  const code = await main(args, { stdout, stderr, env: { FEDMIGRATE_LOG_FORMAT: "json", ...env }, cwd });
  captureText(`${args[0] ?? "cli"}-stdout`, stdout.text);
  captureText(`${args[0] ?? "cli"}-stderr`, stderr.text);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * What is wrong with how a run ended on bad input, if anything: an exit code other than the
 * allowed ones, no message on stderr for a refusal, a stack trace or an "internal error", or
 * stderr lines that are not JSON (off a terminal, SPEC section 5).
 */
export function badInputProblems(result: InProcessResult, allowed: readonly number[]): string[] {
  const problems: string[] = [];
  if (!allowed.includes(result.code)) problems.push(`exit ${result.code}, not one of ${allowed.join("/")}`);
  const lines = result.stderr.split("\n").filter((line) => line !== "");
  const parsed: { msg?: unknown }[] = [];
  for (const line of lines) {
    try {
      parsed.push(JSON.parse(line) as { msg?: unknown });
    } catch {
      problems.push(`a stderr line that is not JSON: ${line.slice(0, 120)}`);
    }
  }
  if (result.code !== 0 && !parsed.some((line) => typeof line.msg === "string" && line.msg.trim() !== "")) {
    problems.push("refused without a message on stderr");
  }
  const text = `${result.stdout}\n${result.stderr}`;
  if (/internal error/i.test(text)) problems.push("an internal error");
  if (/(^|\n|\\n)\s+at \S.*(:\d+:\d+\)?|<anonymous>)/.test(text)) problems.push("a stack trace");
  return problems;
}
