import { apiRuntime } from "../domo/api-runtime.js";
import { UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import type { JournalAudit } from "../journal/audit-journal.js";
import type { Reconciliation } from "../plan/reconcile-journal.js";
import type { CliIo } from "./context.js";
import {
  type ConfigArgs,
  checkGiven,
  cliLogger,
  configFrom,
  type HttpArgs,
  loadManifestArgs,
} from "./runtime.js";

/** What yargs hands `fedmigrate audit` (camelCase). */
export interface AuditArgs extends ConfigArgs, HttpArgs {
  /** Take the journal (and domain) from this manifest, as `migrate` does. */
  manifest?: string | undefined;
  /** The journal's integrity only: no call to Domo. */
  offline?: boolean | undefined;
}

/** The online part of an audit: the instance compared, and what was found. */
export interface OnlineAudit extends Reconciliation {
  domain: string;
}

const DISAGREEMENT_HINT =
  "Domo is the truth of where a datasource is. Run 'fedmigrate plan' to see what the next migrate does with each " +
  "(a datasource reversed outside this journal is held; one migrated outside it is skipped).";

/**
 * `fedmigrate audit`: the offline audit of the journal (chain, triggers, derived tables) and,
 * unless `--offline`, its reconciliation with Domo's candidate lists (GETs only). Exit 0 when
 * clean, 1 on any finding or disagreement.
 */
export async function runAuditCommand(args: AuditArgs, io: CliIo): Promise<number> {
  checkGiven("manifest", args.manifest);
  checkGiven("journal", args.journal);
  const manifests = args.manifest === undefined ? undefined : await loadManifestArgs([args.manifest], io);
  const config = configFrom(args, io, manifests);
  const { journalExists, openJournal } = await import("../journal/open-journal.js");
  if (!journalExists(config.journalPath)) {
    throw new UsageError(`there is no journal at ${config.journalPath}: nothing to audit`, {
      hint: "Name the journal with --journal PATH, --manifest FILE (its journal:) or FEDMIGRATE_JOURNAL.",
    });
  }

  // Online needs the domain and the token: checked before the journal is read.
  const online = args.offline
    ? undefined
    : await apiRuntime(config, args, await cliLogger(args, io, [config.token]), io.env);
  const journal = openJournal(config.journalPath, { readonly: true });
  let audit: JournalAudit;
  let reconciliation: OnlineAudit | undefined;
  try {
    audit = journal.audit();
    if (online) {
      const histories = journal.histories(online.domainKey);
      const reversible = journal.reversible(online.domainKey);
      const accounts = new Set<string>();
      for (const history of histories.values()) {
        const account = (history.lastMigrate ?? history.lastReverse)?.accountId;
        if (account) accounts.add(account);
      }
      const [{ readServerState }, { reconcileJournal }] = await Promise.all([
        import("../run/read-server-state.js"),
        import("../plan/reconcile-journal.js"),
      ]);
      const server = await readServerState(accounts, online);
      reconciliation = { domain: online.domainKey, ...reconcileJournal(histories, reversible, server) };
    }
  } finally {
    journal.close();
  }

  const clean = audit.ok && (reconciliation?.disagreements.length ?? 0) === 0;
  if (args.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          success: clean,
          journal: config.journalPath,
          head: audit.head,
          offline: { ok: audit.ok, verifiedEntries: audit.verifiedEntries, findings: audit.findings },
          online: reconciliation
            ? { ok: reconciliation.disagreements.length === 0, ...reconciliation, hint: DISAGREEMENT_HINT }
            : null,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout.write(renderAudit(config.journalPath, audit, reconciliation));
  }
  return clean ? ExitCode.OK : ExitCode.ITEMS_FAILED;
}

/** The human view of an audit. */
function renderAudit(path: string, audit: JournalAudit, online: OnlineAudit | undefined): string {
  const lines = [
    `Journal ${path}`,
    `Chain head: entry ${audit.head.seq}, ${audit.head.hash || "(empty chain)"}`,
  ];
  const unverifiable = audit.findings.some((finding) => finding.check === "schema");
  const passed = (check: string, text: string) => {
    if (!unverifiable && !audit.findings.some((finding) => finding.check === check))
      lines.push(`  ok    ${text}`);
  };
  passed("chain", `hash chain verified (${audit.verifiedEntries} entries; every final row is in it)`);
  passed("triggers", "guard triggers present and unchanged");
  passed("derived", "item_latest matches the attempts");
  for (const finding of audit.findings) {
    lines.push(`  FAIL  ${finding.check}: ${finding.message}`, `        what to do: ${finding.hint}`);
  }
  if (online) {
    if (online.disagreements.length === 0) {
      lines.push(
        `  ok    Domo agrees on ${online.domain}: ${online.checked} datasource${online.checked === 1 ? "" : "s"} compared` +
          (online.unsettled > 0 ? ` (${online.unsettled} in flight or INCOMPLETE, not compared)` : ""),
      );
    } else {
      lines.push(
        `  FAIL  Domo disagrees with the journal on ${online.disagreements.length} of ${online.checked} datasource${online.checked === 1 ? "" : "s"} on ${online.domain}:`,
        ...online.disagreements.map((d) => `        ${d.message}`),
        `        what to do: ${DISAGREEMENT_HINT}`,
      );
    }
  }
  const clean = audit.ok && (online?.disagreements.length ?? 0) === 0;
  lines.push(
    clean
      ? "The journal is sound."
      : audit.ok
        ? "The journal is sound, but Domo does not agree with it."
        : "The journal fails its audit: migrate and rollback refuse it until it is restored.",
  );
  return `${lines.join("\n")}\n`;
}
