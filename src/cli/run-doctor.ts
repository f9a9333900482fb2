import { statSync } from "node:fs";
import { DEFAULT_JOURNAL, type ResolvedConfig, resolveConfig } from "../config/resolve-config.js";
import type { DomainInfo } from "../config/resolve-domain.js";
import type { CheckStatus, DoctorCheck, DoctorFailure, DoctorReport } from "../doctor/doctor-report.js";
import { configFailure, explainApiError } from "../doctor/explain-api-error.js";
import { inspectJournal } from "../doctor/inspect-journal.js";
import { type ApiRuntime, apiRuntime } from "../domo/api-runtime.js";
import { installProxyFromEnv } from "../domo/install-proxy.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import { type Inventory, readInventory } from "../run/read-inventory.js";
import type { CliIo } from "./context.js";
import { type ConfigArgs, cliLogger, type HttpArgs } from "./runtime.js";

/** `fedmigrate doctor`'s arguments. */
export interface DoctorArgs extends ConfigArgs, HttpArgs {}

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
  const checks: DoctorCheck[] = [];
  const failures: ExitCodeValue[] = [];
  const add = (name: string, status: CheckStatus, message: string, hint: string | null = null) =>
    checks.push({ name, status, message, hint });
  const fail = (name: string, failure: DoctorFailure) => {
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

type DomainFinding =
  | DoctorFailure
  | { info: DomainInfo; source: ResolvedConfig["domainSource"]; message: string };

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
  | DoctorFailure
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

type ProxyFinding = DoctorFailure | { status: CheckStatus; message: string; hint: string | null };

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

type JournalPathFinding = DoctorFailure | { path: string; source: ResolvedConfig["journalSource"] };

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

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? "" : "s"}`;
}
