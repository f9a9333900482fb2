import type { ExitCodeValue } from "../exit-codes.js";

/** How a check went. `skip`: not tried, because an earlier check failed. */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** One line of the doctor's report. */
export interface DoctorCheck {
  /** domain, token, proxy, api, inventory or journal. */
  name: string;
  status: CheckStatus;
  /** What was found, in plain words. Never the token. */
  message: string;
  /** What to do about it; null when nothing is needed. */
  hint: string | null;
}

/** One V2 account as the doctor saw it. */
export interface DoctorAccount {
  id: string;
  name: string;
  /** Candidates its list holds, migrated or not. */
  candidates: number;
  unmigrated: number;
  migrated: number;
}

/** The doctor's findings: the `--json` document (without `exitCode`) and what the text shows. */
export interface DoctorReport {
  success: boolean;
  checks: DoctorCheck[];
  types: { type: string; accounts: DoctorAccount[] }[];
  exitCode: ExitCodeValue;
}

/** A failed check, with the exit code its failure means. */
export interface DoctorFailure {
  message: string;
  hint: string | null;
  exitCode: ExitCodeValue;
}
