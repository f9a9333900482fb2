import { statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { requireDomain } from "../config/resolve-config.js";
import type { DomainInfo } from "../config/resolve-domain.js";
import { apiRuntime } from "../domo/api-runtime.js";
import { UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { buildSkeleton, renderSkeleton, type Skeleton } from "../manifest/render-skeleton.js";
import { plural } from "../report/plural.js";
import { type Inventory, readInventory } from "../run/read-inventory.js";
import { VERSION } from "../version.js";
import type { CliIo } from "./context.js";
import { type ConfigArgs, cliLogger, configFrom, type HttpArgs } from "./runtime.js";
import { sayOnStderr } from "./say-on-stderr.js";

/** `fedmigrate discover`'s arguments. */
export interface DiscoverArgs extends ConfigArgs, HttpArgs {
  /** Only these integration types (repeatable). */
  type?: string[] | undefined;
  /** Only these V2 accounts (repeatable). */
  account?: string[] | undefined;
  /** Write the skeleton here instead of stdout. */
  out?: string | undefined;
  /** Also list datasources the server says are migrated. */
  includeMigrated?: boolean | undefined;
  /** Overwrite `out` when it exists. */
  force?: boolean | undefined;
}

/**
 * `fedmigrate discover`: reads types, accounts and candidates (GETs only) and writes a manifest
 * skeleton to `--out` or stdout; `--json` puts the discovered structure on stdout instead (with
 * `--out`, the skeleton is still written to the file). The summary goes to stderr (a JSON line off a
 * terminal), so stdout holds the document alone. Returns the exit code.
 */
export async function discoverManifest(args: DiscoverArgs, io: CliIo): Promise<number> {
  const out = args.out === undefined ? undefined : checkOutFile(args.out, io, Boolean(args.force));

  const config = configFrom(args, io);
  const domain = manifestDomain(requireDomain(config));
  const logger = await cliLogger(args, io, [config.token]);
  const runtime = await apiRuntime(config, args, logger, io.env);
  const inventory = await readInventory(runtime, { onlyTypes: args.type, onlyAccounts: args.account });
  const skeleton = buildSkeleton(inventory.accounts, { includeMigrated: Boolean(args.includeMigrated) });
  const generatedAt = new Date().toISOString();

  if (inventory.types.length === 0) {
    logger.warn(
      { event: "discover.no-types" },
      "the instance lists no Federated integration types: nothing to migrate, or the token's user cannot see them",
    );
  }
  if (out !== undefined || !args.json) {
    const yaml = renderSkeleton(skeleton, {
      version: VERSION,
      generatedAt,
      domain,
      command: commandLine(args),
    });
    if (out === undefined) io.stdout.write(yaml);
    else writeSkeleton(out, yaml, Boolean(args.force));
  }
  if (args.json) {
    io.stdout.write(
      `${JSON.stringify(discoverJson(inventory, skeleton, { args, domain, generatedAt, out }), null, 2)}\n`,
    );
  }
  const { entries, datasources, migratedLeftOut } = skeleton.counts;
  const summary =
    out === undefined
      ? `discovered ${plural(entries, "datasource", "datasources")} to fill in (of ${datasources}; ${migratedLeftOut} already migrated left out)`
      : `wrote ${plural(entries, "datasource", "datasources")} to fill in to ${args.out} (of ${datasources}; ${migratedLeftOut} already migrated left out); fill in catalog, schema and table, then run: fedmigrate validate ${args.out}`;
  // An operator message, not a log event: shown on a terminal whatever the log level.
  sayOnStderr(io, "info", "discover.done", summary, {
    types: inventory.walked.length,
    accounts: inventory.accounts.length,
    datasources,
    entries,
    migratedLeftOut,
    out: out ?? null,
  });
  return ExitCode.OK;
}

/** Refuses, before any call, an output file that exists (without --force) or is a directory. */
function checkOutFile(file: string, io: CliIo, force: boolean): string {
  if (file.trim() === "") throw new UsageError("--out is empty", { hint: "name the file to write" });
  const target = path.resolve(io.cwd, file);
  let isDirectory = false;
  let exists = false;
  try {
    const stat = statSync(target);
    exists = true;
    isDirectory = stat.isDirectory();
  } catch {
    // Not there: it will be created (writeSkeleton reports a missing directory).
  }
  if (isDirectory) throw new UsageError(`--out ${file} is a directory`, { hint: "name a file to write" });
  if (exists && !force) {
    throw new UsageError(`--out ${file} already exists; discover does not overwrite it`, {
      hint: "pass --force to replace it, or name another file (a filled-in manifest would be lost)",
    });
  }
  return target;
}

function writeSkeleton(target: string, yaml: string, force: boolean): void {
  try {
    // "wx" also catches a file created since checkOutFile looked.
    writeFileSync(target, yaml, { flag: force ? "w" : "wx" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      throw new UsageError(`--out ${target} already exists; discover does not overwrite it`, {
        hint: "pass --force to replace it, or name another file",
      });
    }
    throw new UsageError(`cannot write the skeleton to ${target}: ${code ?? (error as Error).message}`, {
      cause: error,
      hint: "check that the directory exists and is writable",
    });
  }
}

/** How the manifest names the instance: the host for https, the full origin for loopback http. */
function manifestDomain(domain: DomainInfo): string {
  return domain.origin.startsWith("https://") ? domain.key : domain.origin;
}

/** The command, for the skeleton's header: the filters only (no paths, never a secret). */
function commandLine(args: DiscoverArgs): string {
  const parts = ["fedmigrate discover"];
  for (const type of args.type ?? []) parts.push(`--type ${type}`);
  for (const account of args.account ?? []) parts.push(`--account ${account}`);
  if (args.includeMigrated) parts.push("--include-migrated");
  return parts.join(" ");
}

function discoverJson(
  inventory: Inventory,
  skeleton: Skeleton,
  meta: { args: DiscoverArgs; domain: string; generatedAt: string; out: string | undefined },
): Record<string, unknown> {
  const writtenUnder = new Map<string, string>();
  for (const group of skeleton.groups) {
    for (const entry of group.entries) writtenUnder.set(entry.datasource, entry.account.id);
  }
  const scanned = new Map(inventory.accounts.map((a) => [`${a.type}\u0000${a.account.id}`, a]));
  return {
    success: true,
    command: "discover",
    domain: meta.domain,
    generatedAt: meta.generatedAt,
    filters: {
      types: meta.args.type ?? [],
      accounts: meta.args.account ?? [],
      includeMigrated: Boolean(meta.args.includeMigrated),
    },
    out: meta.out ?? null,
    allTypes: inventory.types,
    types: inventory.walked.map(({ type, accounts }) => ({
      type,
      accounts: accounts.map((account) => {
        const read = scanned.get(`${type}\u0000${account.id}`);
        return {
          id: account.id,
          name: account.name,
          // null: left out by --account, so its candidates were not read.
          candidates:
            read?.candidates.map((candidate) => ({
              id: candidate.id,
              name: candidate.name,
              migrated: candidate.migrated,
              migrationDate: candidate.migrationDate,
              // The account the skeleton writes it under; null when left out (migrated).
              manifestAccount: writtenUnder.get(candidate.id) ?? null,
            })) ?? null,
        };
      }),
    })),
    counts: { types: inventory.walked.length, ...skeleton.counts },
  };
}
