import type { Writable } from "node:stream";

/** The process edges a command may touch; tests pass their own. Only `cli/` sees this. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  /** Answers to questions (`migrate` and `rollback` ask on a terminal). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Options every command takes. */
export interface GlobalArgs {
  json?: boolean;
  logLevel?: string;
  /** Tables whole on a terminal too, not fitted to its width. */
  wide?: boolean;
}

/**
 * Handed to every command handler. A handler returns its exit code through `exitCode`;
 * a run-stopping failure is thrown as a `FedmigrateError` and mapped by `main`.
 */
export interface CommandContext {
  io: CliIo;
  exitCode: number;
}
