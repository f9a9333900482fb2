/**
 * The one error base of fedmigrate. A failing *run* (bad manifest, bad option, journal locked,
 * auth refused) is thrown as a subclass of this; `cli/main.ts` maps its `code` to an exit code.
 * A failing *item* is an outcome (data), never an exception.
 */
export type ErrorCode =
  /** A manifest (or several) did not validate. Exit 2. */
  | "MANIFEST_INVALID"
  /** A command line option or configuration value is wrong. Exit 2. */
  | "USAGE"
  /** A saved plan no longer matches the manifests or the journal. Exit 2. */
  | "PLAN_STALE"
  /** Another run holds the journal. Exit 3. */
  | "JOURNAL_LOCKED"
  /** The journal cannot be opened, read or written. Exit 1. */
  | "JOURNAL"
  /** Domo refused the token (401/403). Exit 4. */
  | "AUTH"
  /** The network setup is wrong (redirect, IP allow-list, TLS, proxy). Exit 1. */
  | "SETUP"
  /** Any other API failure that stops a run (a failing item is an outcome instead). Exit 1. */
  | "API"
  /** The run was interrupted by SIGINT/SIGTERM. Exit 130. */
  | "INTERRUPTED";

export class FedmigrateError extends Error {
  override name = "FedmigrateError";
  readonly code: ErrorCode;
  /** What the operator should do about it, in plain words; printed after the message. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** A command line option or configuration value is wrong (exit 2). */
export class UsageError extends FedmigrateError {
  override name = "UsageError";
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super("USAGE", message, options);
  }
}
