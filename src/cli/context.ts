import type { Writable } from "node:stream";

/** The process edges a command may touch; tests pass their own. Only `cli/` sees this. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  /** Answers to questions (`migrate` and `rollback` ask on a terminal). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * Watches SIGINT and SIGTERM; returns the unwatch. Without it (a test's io) a command watches
   * no signal.
   */
  onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void;
  /** Leaves at once (a second Ctrl-C during a run); `src/cli.ts` gives `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * Handed to every command handler. A handler returns its exit code through `exitCode`;
 * a run-stopping failure is thrown as a `FedmigrateError` and mapped by `main`.
 */
export interface CommandContext {
  io: CliIo;
  exitCode: number;
}
