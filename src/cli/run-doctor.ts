import { accessSync, constants, statSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { DEFAULT_JOURNAL, type ResolvedConfig, resolveConfig } from "../config/resolve-config.js";
import type { DomainInfo } from "../config/resolve-domain.js";
import { DomoApiError } from "../domo/domo-api-error.js";
import { installProxyFromEnv } from "../domo/install-proxy.js";
import { FedmigrateError } from "../errors.js";
import { journalExists, openJournal } from "../journal/open-journal.js";
import { DEFAULT_LOCK_STALE_AFTER_MS, processIsAlive } from "../journal/run-lock.js";
import { READABLE_FROM_VERSION, SCHEMA_VERSION } from "../journal/schema.js";
import { type Inventory, readInventory } from "../run/read-inventory.js";
import type { CliIo } from "./context.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import {
  type ApiRuntime,
  apiRuntime,
  type ConfigArgs,
  checkHttpArgs,
  cliLogger,
  type HttpArgs,
} from "./runtime.js";

/** `fedmigrate doctor`'s arguments. */
export interface DoctorArgs extends ConfigArgs, HttpArgs {}

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
interface Failure {
  message: string;
  hint: string | null;
  exitCode: ExitCodeValue;
}

const SOURCE_WORDS = {
  flag: "--domain",
  env: "DOMO_DOMAIN",
  manifest: "the manifest",
} as const;

/**
 * `fedmigrate doctor`: checks configuration, proxy settings, the API (one `GET /types` under
 * the retry policy, then the accounts and candidate lists) and the journal (read-only, never
 * created), in that order, and says what is wrong in plain words. Never throws for what it
 * diagnoses: every finding is a check. Exit code: 2 for configuration, 4 for a refused token,
 * 1 for anything else that failed, 0 when nothing failed (warnings included).
 */
export async function runDoctor(args: DoctorArgs, io: CliIo): Promise<DoctorReport> {
  checkHttpArgs(args);
  const checks: DoctorCheck[] = [];
  const failures: ExitCodeValue[] = [];
  const add = (name: string, status: CheckStatus, message: string, hint: string | null = null) =>
    checks.push({ name, status, message, hint });
  const fail = (name: string, failure: Failure) => {
    add(name, "fail", failure.message, failure.hint);
    failures.push(failure.exitCode);
  };

  const domain = checkDomain(args, io);
  if ("exitCode" in domain) fail("domain", domain);
  else add("domain", "ok", domain.message);

  const token = checkToken(args, io);
  if ("exitCode" in token) fail("token", token);
  else add("token", token.warning ? "warn" : "ok", token.message, token.warning ?? null);

  const proxy = checkProxy(io.env);
  if ("exitCode" in proxy) fail("proxy", proxy);
  else add("proxy", proxy.status, proxy.message, proxy.hint);

  const journal = checkJournalPath(args, io);
  const types: DoctorReport["types"] = [];
  let runtime: ApiRuntime | undefined;
  if (failures.length === 0 && "info" in domain && "value" in token) {
    const config: ResolvedConfig = {
      domain: domain.info,
      domainSource: domain.source,
      token: token.value,
      tokenSource: token.source,
      journalPath: "path" in journal ? journal.path : DEFAULT_JOURNAL,
      journalSource: "path" in journal ? journal.source : "default",
      warnings: [],
    };
    const logger = await cliLogger(args, io, [token.value]);
    try {
      runtime = await apiRuntime(config, args, logger, io.env);
    } catch (error) {
      fail("api", explainApiError(error, domain.info));
    }
  }

  let inventory: Inventory | undefined;
  if (runtime === undefined) {
    if (!checks.some((c) => c.name === "api")) {
      add("api", "skip", "not tried: fix the checks above first");
    }
    add("inventory", "skip", "not tried: the API was not reached");
  } else if ("info" in domain) {
    const api = runtime;
    const started = performance.now();
    let listed: string[] | undefined;
    try {
      listed = await api.retry.run(() => api.api.listTypes());
      add(
        "api",
        "ok",
        `GET ${domain.info.baseUrl}/types answered in ${Math.round(performance.now() - started)} ms: the token is accepted`,
      );
    } catch (error) {
      fail("api", explainApiError(error, domain.info));
    }
    if (listed === undefined) {
      add("inventory", "skip", "not tried: the API was not reached");
    } else {
      try {
        inventory = await readInventory(api, { types: listed });
      } catch (error) {
        fail("inventory", explainApiError(error, domain.info));
      }
    }
  }
  if (inventory !== undefined) {
    types.push(...inventoryTypes(inventory));
    const finding = describeInventory(inventory, types);
    add("inventory", finding.status, finding.message, finding.hint);
  }

  if ("exitCode" in journal) {
    fail("journal", journal);
  } else {
    const finding = inspectJournal(
      journal.path,
      journal.source,
      "info" in domain ? domain.info.key : undefined,
    );
    if ("exitCode" in finding) fail("journal", finding);
    else add("journal", finding.status, finding.message, finding.hint);
  }

  const exitCode: ExitCodeValue = failures.includes(ExitCode.INVALID)
    ? ExitCode.INVALID
    : failures.includes(ExitCode.AUTH)
      ? ExitCode.AUTH
      : failures.length > 0
        ? ExitCode.ITEMS_FAILED
        : ExitCode.OK;
  return { success: failures.length === 0, checks, types, exitCode };
}

/** The report as text: a line per check, its hint under it, the inventory as a tree. */
export function renderDoctor(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines: string[] = [];
  for (const check of report.checks) {
    const status = check.status === "fail" ? "FAIL" : check.status;
    lines.push(`${status.padEnd(5)} ${check.name.padEnd(width)}  ${check.message}`);
    const indent = " ".repeat(6 + width + 2);
    if (check.hint) lines.push(`${indent}→ ${check.hint}`);
    if (check.name === "inventory") {
      for (const { type, accounts } of report.types) {
        lines.push(`${indent}${type}: ${accounts.length === 0 ? "no accounts" : ""}`.trimEnd());
        for (const account of accounts) {
          lines.push(
            `${indent}  account ${JSON.stringify(account.id)} ${oneLine(account.name)}: ${plural(account.candidates, "candidate")} (${account.unmigrated} not migrated, ${account.migrated} migrated)`,
          );
        }
      }
    }
  }
  const failed = report.checks.filter((check) => check.status === "fail").length;
  const warned = report.checks.filter((check) => check.status === "warn").length;
  lines.push(
    "",
    failed > 0
      ? `${plural(failed, "check")} failed: see FAIL above.`
      : warned > 0
        ? `No check failed; ${plural(warned, "warning")} above.`
        : "All checks passed.",
  );
  return `${lines.join("\n")}\n`;
}

type DomainFinding = Failure | { info: DomainInfo; source: ResolvedConfig["domainSource"]; message: string };

function checkDomain(args: DoctorArgs, io: CliIo): DomainFinding {
  let config: ResolvedConfig;
  try {
    // One setting at a time, so that a bad token file does not hide a good domain.
    config = resolveConfig({
      flags: { domain: args.domain },
      env: { DOMO_DOMAIN: io.env.DOMO_DOMAIN },
      cwd: io.cwd,
    });
  } catch (error) {
    return configFailure(error);
  }
  if (config.domain === undefined) {
    return {
      message: "no Domo domain given",
      hint: "pass --domain acme.domo.com or set DOMO_DOMAIN (migrate and plan also read `domain:` from the manifest)",
      exitCode: ExitCode.INVALID,
    };
  }
  const where = config.domainSource === undefined ? "" : ` (from ${SOURCE_WORDS[config.domainSource]})`;
  const transport = config.domain.origin.startsWith("https://")
    ? "over https"
    : "over plain http, accepted only because it is loopback (the simulator)";
  return {
    info: config.domain,
    source: config.domainSource,
    message: `${config.domain.origin}${where}, ${transport}`,
  };
}

type TokenFinding =
  | Failure
  | { value: string; source: ResolvedConfig["tokenSource"]; message: string; warning?: string };

function checkToken(args: DoctorArgs, io: CliIo): TokenFinding {
  let config: ResolvedConfig;
  try {
    config = resolveConfig({
      flags: { tokenFile: args.tokenFile },
      env: { DOMO_DEVELOPER_TOKEN: io.env.DOMO_DEVELOPER_TOKEN },
      cwd: io.cwd,
    });
  } catch (error) {
    return configFailure(error);
  }
  if (config.token === undefined) {
    return {
      message: "no developer token given",
      hint: "set DOMO_DEVELOPER_TOKEN or pass --token-file PATH (create a token in the Domo admin panel, under access tokens)",
      exitCode: ExitCode.INVALID,
    };
  }
  const envToo =
    config.tokenSource === "file" && (io.env.DOMO_DEVELOPER_TOKEN ?? "").trim() !== ""
      ? "; DOMO_DEVELOPER_TOKEN is set too, and --token-file wins"
      : "";
  const where = config.tokenSource === "file" ? `--token-file ${args.tokenFile}` : "DOMO_DEVELOPER_TOKEN";
  return {
    value: config.token,
    source: config.tokenSource,
    message: `present (from ${where}${envToo}); its value is never shown`,
    ...(config.warnings.length > 0 ? { warning: config.warnings.join("; ") } : {}),
  };
}

type ProxyFinding = Failure | { status: CheckStatus; message: string; hint: string | null };

const PROXY_VARIABLES = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"];

function checkProxy(env: NodeJS.ProcessEnv): ProxyFinding {
  const seen = PROXY_VARIABLES.filter((name) => (env[name] ?? "").trim() !== "");
  let setup: ReturnType<typeof installProxyFromEnv>;
  try {
    // Only to read what the run would use (credentials masked); the run installs it itself.
    setup = installProxyFromEnv(env, () => {});
  } catch (error) {
    return {
      message: `the proxy variables (${seen.join(", ")}) cannot be used: ${(error as Error).message}`,
      hint: "write the proxy as a URL, for example HTTPS_PROXY=http://proxy.example.com:3128",
      exitCode: ExitCode.INVALID,
    };
  }
  const parts: string[] = [];
  let status: CheckStatus = "ok";
  let hint: string | null = null;
  if (setup === undefined) {
    parts.push(
      seen.length === 0
        ? "no proxy variables set: connecting directly"
        : `only ${seen.join(", ")} set, no proxy: connecting directly`,
    );
  } else {
    parts.push(
      `requests go through ${setup.httpsProxy ?? setup.httpProxy} (from ${seen.filter((n) => !/no_proxy/i.test(n)).join(", ")}); not for: ${setup.noProxy}`,
    );
    if ([setup.httpsProxy, setup.httpProxy].includes("(not a URL)")) {
      status = "warn";
      hint = "write the proxy as a URL, for example HTTPS_PROXY=http://proxy.example.com:3128";
    }
  }
  const ca = env.NODE_EXTRA_CA_CERTS?.trim();
  if (ca) {
    let readable = false;
    try {
      readable = statSync(ca).isFile();
    } catch {
      readable = false;
    }
    if (readable) {
      parts.push(`NODE_EXTRA_CA_CERTS adds the certificates in ${ca}`);
    } else {
      status = "warn";
      parts.push(`NODE_EXTRA_CA_CERTS names ${ca}, which is not a readable file: Node ignores it`);
      hint = "point NODE_EXTRA_CA_CERTS at your network's CA bundle (a PEM file), or unset it";
    }
  }
  return { status, message: parts.join("; "), hint };
}

type JournalPathFinding = Failure | { path: string; source: ResolvedConfig["journalSource"] };

function checkJournalPath(args: DoctorArgs, io: CliIo): JournalPathFinding {
  try {
    const config = resolveConfig({
      flags: { journal: args.journal },
      env: { FEDMIGRATE_JOURNAL: io.env.FEDMIGRATE_JOURNAL },
      cwd: io.cwd,
    });
    return { path: config.journalPath, source: config.journalSource };
  } catch (error) {
    return configFailure(error);
  }
}

type JournalFinding = Failure | { status: CheckStatus; message: string; hint: string | null };

const JOURNAL_SOURCE_WORDS = {
  flag: "--journal",
  env: "FEDMIGRATE_JOURNAL",
  manifest: "the manifest",
  default: "the default",
} as const;

/** Reads the journal without creating or changing it. */
function inspectJournal(
  path: string,
  source: ResolvedConfig["journalSource"],
  domainKey: string | undefined,
): JournalFinding {
  const where = `${path} (${JOURNAL_SOURCE_WORDS[source]})`;
  if (!journalExists(path)) {
    const directory = dirname(path);
    let problem: string | undefined;
    try {
      if (!statSync(directory).isDirectory()) problem = "is not a directory";
      else accessSync(directory, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problem = code === "ENOENT" || code === "ENOTDIR" ? "does not exist" : "is not writable";
    }
    if (problem !== undefined) {
      return {
        message: `no journal at ${where}, and the first migrate could not create one: ${directory} ${problem}`,
        hint: "create the directory (or fix its permissions), or point --journal / FEDMIGRATE_JOURNAL at a file in a writable one",
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
      `${plural(runs.length, "run")}${ofDomain === undefined ? "" : ` (${ofDomain.length} on ${domainKey})`}`,
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
        message: `${where} fails its audit (${plural(audit.findings.length, "finding")}): ${finding.message}`,
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
        parts.push(`${plural(inFlight, "attempt")} on ${domainKey} left in flight by a run that stopped`);
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

function configFailure(error: unknown): Failure {
  if (error instanceof FedmigrateError) {
    return { message: error.message, hint: error.hint ?? null, exitCode: ExitCode.INVALID };
  }
  throw error;
}

/** What a failed call means for the operator, in plain words, with what to do. */
function explainApiError(error: unknown, domain: DomainInfo): Failure {
  if (!(error instanceof DomoApiError)) {
    if (error instanceof FedmigrateError) {
      const exitCode = error.code === "USAGE" ? ExitCode.INVALID : ExitCode.ITEMS_FAILED;
      return { message: error.message, hint: error.hint ?? null, exitCode };
    }
    throw error;
  }
  const said = `(${error.message})`;
  const { status } = error;
  if (status === 401) {
    return {
      message: `Domo refused the developer token: it is wrong, expired or revoked ${said}`,
      hint: "create a new token (Domo admin panel: Authentication > Access tokens) and pass it through DOMO_DEVELOPER_TOKEN or --token-file",
      exitCode: ExitCode.AUTH,
    };
  }
  if (status === 403) {
    return {
      message: `Domo knows the token, but its user lacks the permission for the migration API ${said}`,
      hint: "ask a Domo admin to give the token's user the grant to manage Federated datasources and accounts, or use a token of a user who has it",
      exitCode: ExitCode.AUTH,
    };
  }
  if (status !== undefined && status >= 300 && status < 400) {
    const blocked = /whitelist|allow-?list/i.test(error.message);
    return {
      message: blocked
        ? `Domo's IP allow-list blocks this machine: the API answered ${status} with a redirect to its "blocked" page ${said}`
        : `the API answered ${status}, a redirect: something other than the API answers at ${domain.key} ${said}`,
      hint: error.hint ?? null,
      exitCode: ExitCode.ITEMS_FAILED,
    };
  }
  if (status !== undefined && status >= 500) {
    const page = error.bodyFirstLine?.trimStart().startsWith("<") ?? false;
    const maintenance = /maintenance/i.test(error.message);
    return {
      message: maintenance
        ? `Domo is down for maintenance: it answered ${status} with its maintenance page, also after retries ${said}`
        : `Domo answered ${status}, a server error, also after retries${page ? " (an HTML page, not the API)" : ""} ${said}`,
      hint: maintenance
        ? "try again when the maintenance is over; nothing is wrong on this side"
        : `try again later; if it persists, contact Domo support${error.toe ? ` with the toe ${error.toe}` : ""}`,
      exitCode: ExitCode.ITEMS_FAILED,
    };
  }
  if (status === 404) {
    return {
      message: `Domo does not know the migration API at ${domain.key}: the domain may be wrong, or Federated V2 migration is not enabled there ${said}`,
      hint:
        error.hint ?? "check the domain, and ask your Domo representative whether Federated V2 is enabled",
      exitCode: ExitCode.ITEMS_FAILED,
    };
  }
  if (status === undefined) {
    return {
      message: `cannot reach ${domain.origin}: ${networkWords(error.networkError)} ${said}`,
      hint:
        error.hint ??
        "check the domain, DNS, HTTPS_PROXY / NO_PROXY and (behind a TLS-inspecting proxy) NODE_EXTRA_CA_CERTS",
      exitCode: ExitCode.ITEMS_FAILED,
    };
  }
  return {
    message: `the API answered, but not as documented ${said}`,
    hint: error.hint ?? "check the domain; if it is right, report this with the message above",
    exitCode: ExitCode.ITEMS_FAILED,
  };
}

function networkWords(kind: DomoApiError["networkError"]): string {
  switch (kind) {
    case "dns":
      return "the host name does not resolve (DNS)";
    case "refused":
      return "the connection is refused: nothing listens there (wrong domain or port?)";
    case "tls":
      return "the TLS handshake failed (certificate or a TLS-inspecting proxy)";
    case "proxy":
      return "the proxy refused the connection";
    case "timeout":
    case "connect-timeout":
      return "no answer in time (a firewall, a proxy, or the network)";
    default:
      return "the connection failed";
  }
}

function inventoryTypes(inventory: Inventory): DoctorReport["types"] {
  return inventory.walked.map(({ type, accounts }) => ({
    type,
    accounts: accounts.map((account) => {
      const candidates =
        inventory.accounts.find((a) => a.type === type && a.account.id === account.id)?.candidates ?? [];
      const migrated = candidates.filter((c) => c.migrated).length;
      return {
        id: account.id,
        name: account.name,
        candidates: candidates.length,
        unmigrated: candidates.length - migrated,
        migrated,
      };
    }),
  }));
}

function describeInventory(
  inventory: Inventory,
  types: DoctorReport["types"],
): { status: CheckStatus; message: string; hint: string | null } {
  const accounts = types.reduce((sum, t) => sum + t.accounts.length, 0);
  const distinct = new Map<string, boolean>();
  for (const { candidates } of inventory.accounts) {
    for (const c of candidates) distinct.set(c.id, (distinct.get(c.id) ?? false) || c.migrated);
  }
  const migrated = [...distinct.values()].filter(Boolean).length;
  const summary = `${plural(types.length, "integration type")}, ${plural(accounts, "V2 account")}, ${plural(distinct.size, "V1 datasource")} (${distinct.size - migrated} not migrated, ${migrated} migrated)`;
  if (types.length === 0) {
    return {
      status: "warn",
      message: `${summary}: nothing to migrate is visible`,
      hint: "the instance has no Federated V1 integrations, or the token's user cannot see them",
    };
  }
  if (accounts === 0) {
    return {
      status: "warn",
      message: `${summary}: no Federated V2 account to migrate to`,
      hint: "create the V2 accounts first (Data Center > Federated > Add New Account), or check the user's access to them",
    };
  }
  return { status: "ok", message: summary, hint: null };
}

function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, " ");
}

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? "" : "s"}`;
}
