import type { ErrorCode } from "./errors.js";

/** SPEC section 5: the exit codes, in one place. */
export const ExitCode = {
  OK: 0,
  ITEMS_FAILED: 1,
  INVALID: 2,
  LOCKED: 3,
  AUTH: 4,
  PENDING: 5,
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for a run-stopping error, by its code. */
export function exitCodeFor(code: ErrorCode): ExitCodeValue {
  switch (code) {
    case "MANIFEST_INVALID":
    case "USAGE":
    case "PLAN_STALE":
      return ExitCode.INVALID;
    case "JOURNAL_LOCKED":
      return ExitCode.LOCKED;
    case "AUTH":
      return ExitCode.AUTH;
    case "INTERRUPTED":
      return ExitCode.INTERRUPTED;
    case "JOURNAL":
    case "SETUP":
    case "API":
      return ExitCode.ITEMS_FAILED;
  }
}
