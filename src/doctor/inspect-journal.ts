import { accessSync, constants, statSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import type { ResolvedConfig } from "../config/resolve-config.js";
import { FedmigrateError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { checkWritablePath, journalExists, openJournal } from "../journal/open-journal.js";
import { DEFAULT_LOCK_STALE_AFTER_MS, processIsAlive } from "../journal/run-lock.js";
import { READABLE_FROM_VERSION, SCHEMA_VERSION } from "../journal/schema.js";
import { plural } from "../report/plural.js";
import type { CheckStatus, DoctorFailure } from "./doctor-report.js";

export type JournalFinding = DoctorFailure | { status: CheckStatus; message: string; hint: string | null };

const JOURNAL_SOURCE_WORDS = {
  flag: "--journal",
  env: "FEDMIGRATE_JOURNAL",
  manifest: "the manifest",
  default: "the default",
} as const;

/** Reads the journal without creating or changing it. */
export function inspectJournal(
  path: string,
  source: ResolvedConfig["journalSource"],
  domainKey: string | undefined,
): JournalFinding {
  const where = `${path} (${JOURNAL_SOURCE_WORDS[source]})`;
  if (!journalExists(path)) {
    const hint =
      "create the directory (or fix its permissions), or point --journal / FEDMIGRATE_JOURNAL at a file in a writable one";
    // The check a run makes before it creates the journal, so doctor says what migrate would.
    try {
      checkWritablePath(path, false);
    } catch (error) {
      if (!(error instanceof FedmigrateError)) throw error;
      return {
        message: `no journal at ${where}, and the first migrate could not create one: ${error.message}`,
        hint,
        exitCode: ExitCode.ITEMS_FAILED,
      };
    }
    // What SQLite finds only when it creates the file: a directory this user may not write.
    const directory = dirname(path);
    try {
      accessSync(directory, constants.W_OK);
    } catch {
      return {
        message: `no journal at ${where}, and the first migrate could not create one: ${directory} is not writable`,
        hint,
        exitCode: ExitCode.ITEMS_FAILED,
      };
    }
    return {
      status: "ok",
      message: `no journal yet at ${where}: the first migrate creates it`,
      hint: null,
    };
  }
  try {
    if (statSync(path).size === 0) {
      return {
        status: "warn",
        message: `${where} is an empty file: the first migrate makes it a journal`,
        hint: "if you expected earlier runs there, check --journal / FEDMIGRATE_JOURNAL",
      };
    }
  } catch {
    // journalExists just saw it; openJournal below reports whatever is wrong.
  }

  let journal: ReturnType<typeof openJournal>;
  try {
    journal = openJournal(path, { readonly: true });
  } catch (error) {
    if (error instanceof FedmigrateError) {
      return { message: error.message, hint: error.hint ?? null, exitCode: ExitCode.ITEMS_FAILED };
    }
    throw error;
  }
  try {
    const parts = [`${where} opens read-only`, schemaWords()];
    const runs = journal.listRuns();
    const ofDomain = domainKey === undefined ? undefined : runs.filter((run) => run.domain === domainKey);
    parts.push(
      `${plural(runs.length, "run", "runs")}${ofDomain === undefined ? "" : ` (${ofDomain.length} on ${domainKey})`}`,
    );
    const latest = runs[0];
    if (latest)
      parts.push(`latest: ${latest.command} ${latest.id}, ${latest.status}, started ${latest.startedAt}`);

    let status: CheckStatus = "ok";
    const hints: string[] = [];
    const holder = journal.lockHolder();
    if (holder === undefined) {
      parts.push("not locked");
    } else {
      const gone = holder.host === hostname() && !processIsAlive(holder.pid);
      const stale = Date.now() - Date.parse(holder.heartbeatAt) > DEFAULT_LOCK_STALE_AFTER_MS;
      status = "warn";
      if (gone || stale) {
        parts.push(
          `locked by run ${holder.runId} (pid ${holder.pid} on ${holder.host}), which ${gone ? "is no longer running" : `has not refreshed it since ${holder.heartbeatAt}`}`,
        );
        hints.push("the next migrate or rollback takes the lock over and says so; nothing to do");
      } else {
        parts.push(
          `locked by run ${holder.runId} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}, heartbeat ${holder.heartbeatAt})`,
        );
        hints.push("a migrate or rollback started now would stop with exit 3 until that run ends");
      }
    }
    // The offline audit (`fedmigrate audit --offline`): migrate and rollback refuse a journal that fails it.
    const audit = journal.audit();
    const [finding] = audit.findings;
    if (finding?.check === "schema") {
      status = "warn";
      parts.push("not audited: its schema predates the hash chain");
      hints.push(finding.hint);
    } else if (finding) {
      return {
        message: `${where} fails its audit (${plural(audit.findings.length, "finding", "findings")}): ${finding.message}`,
        hint: `${finding.hint} 'fedmigrate audit --offline' lists every finding; migrate and rollback refuse the journal until then.`,
        exitCode: ExitCode.ITEMS_FAILED,
      };
    } else {
      parts.push(`audit clean (chain of ${audit.head.seq} entries, head ${audit.head.hash.slice(0, 12)}…)`);
    }
    if (domainKey !== undefined) {
      const inFlight = journal.inFlight(domainKey).length;
      if (inFlight > 0) {
        status = "warn";
        parts.push(
          `${plural(inFlight, "attempt", "attempts")} on ${domainKey} left in flight by a run that stopped`,
        );
        hints.push("the next migrate resolves them from Domo's candidate list before anything else");
      }
    }
    return { status, message: parts.join("; "), hint: hints.length > 0 ? hints.join("; ") : null };
  } catch (error) {
    if (error instanceof FedmigrateError) {
      return { message: error.message, hint: error.hint ?? null, exitCode: ExitCode.ITEMS_FAILED };
    }
    throw error;
  } finally {
    journal.close();
  }
}

/**
 * A read-only open succeeds only for schema versions this fedmigrate reads without upgrading
 * (READABLE_FROM_VERSION to SCHEMA_VERSION), so while those are equal the version is known.
 */
function schemaWords(): string {
  return READABLE_FROM_VERSION === SCHEMA_VERSION
    ? `schema version ${SCHEMA_VERSION} (current)`
    : `schema version ${READABLE_FROM_VERSION} to ${SCHEMA_VERSION}, readable by this fedmigrate`;
}
