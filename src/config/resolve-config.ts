import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { registerSecret } from "../domo/clean-server-text.js";
import { UsageError } from "../errors.js";
import { type DomainInfo, resolveDomain } from "./resolve-domain.js";

/** The default journal file, relative to the working directory (SPEC section 2). */
export const DEFAULT_JOURNAL = "fedmigrate.db";

/** Larger than any token: a file this big was named by mistake, and is not read. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

const TOKEN_HINT =
  "set DOMO_DEVELOPER_TOKEN or pass --token-file PATH (create one in the Domo admin panel, under access tokens)";

/** The configuration sources of SPEC section 2, before precedence applies. */
export interface ConfigInput {
  /** Command line flags (yargs' camelCase names). */
  flags: { domain?: string | undefined; tokenFile?: string | undefined; journal?: string | undefined };
  env: NodeJS.ProcessEnv;
  /** What the manifests said; their `journal` should already be absolute (see `loadManifests`). */
  manifest?: { domain?: string | undefined; journal?: string | undefined } | undefined;
  cwd: string;
}

/** The effective configuration, and where each setting came from (for `doctor` and run records). */
export interface ResolvedConfig {
  domain: DomainInfo | undefined;
  domainSource: "flag" | "env" | "manifest" | undefined;
  /** Absolute. */
  journalPath: string;
  journalSource: "flag" | "env" | "manifest" | "default";
  /** The developer token. Never print, log or store it. */
  token: string | undefined;
  tokenSource: "file" | "env" | undefined;
}

/**
 * Applies SPEC section 2's precedence: flag, then environment, then manifest, then default.
 * An empty environment variable counts as unset (as shells and CI systems treat it); an empty
 * flag is an error. Throws `UsageError`, never with the token in it.
 */
export function resolveConfig(input: ConfigInput): ResolvedConfig {
  const { flags, env, manifest, cwd } = input;

  const domain = pick([
    ["flag", flags.domain, "--domain"],
    ["env", env.DOMO_DOMAIN, "DOMO_DOMAIN"],
    ["manifest", manifest?.domain, "the manifest's domain"],
  ]);
  const journal = pick([
    ["flag", flags.journal, "--journal"],
    ["env", env.FEDMIGRATE_JOURNAL, "FEDMIGRATE_JOURNAL"],
    ["manifest", manifest?.journal, "the manifest's journal"],
  ]);

  let token: string | undefined;
  let tokenSource: ResolvedConfig["tokenSource"];
  if (flags.tokenFile !== undefined) {
    token = readTokenFile(flags.tokenFile, cwd);
    tokenSource = "file";
  } else if (env.DOMO_DEVELOPER_TOKEN !== undefined && env.DOMO_DEVELOPER_TOKEN.trim() !== "") {
    token = checkToken(env.DOMO_DEVELOPER_TOKEN.trim(), "DOMO_DEVELOPER_TOKEN");
    tokenSource = "env";
  }

  // From here on, every output path redacts it, in any encoding (see clean-server-text.ts).
  if (token !== undefined) registerSecret(token);

  return {
    domain: domain === undefined ? undefined : resolveDomainFrom(domain.value, domain.label),
    domainSource: domain?.source,
    journalPath: resolve(cwd, journal?.value ?? DEFAULT_JOURNAL),
    journalSource: journal?.source ?? "default",
    token,
    tokenSource,
  };
}

/** The domain, or a `UsageError` saying how to give one. */
export function requireDomain(config: ResolvedConfig): DomainInfo {
  if (config.domain !== undefined) return config.domain;
  throw new UsageError("no Domo domain given", {
    hint: "pass --domain acme.domo.com, set DOMO_DOMAIN, or add `domain:` to the manifest",
  });
}

/** The developer token, or a `UsageError` saying how to give one. */
export function requireToken(config: ResolvedConfig): string {
  if (config.token !== undefined) return config.token;
  throw new UsageError("no Domo developer token given", { hint: TOKEN_HINT });
}

type Source = "flag" | "env" | "manifest";

function pick(
  candidates: [source: Source, value: string | undefined, label: string][],
): { source: Source; value: string; label: string } | undefined {
  for (const [source, value, label] of candidates) {
    if (value === undefined) continue;
    if (value.trim() === "") {
      if (source === "flag") throw new UsageError(`${label} is empty`);
      continue;
    }
    return { source, value, label };
  }
  return undefined;
}

function resolveDomainFrom(value: string, label: string): DomainInfo {
  try {
    return resolveDomain(value);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // Say which setting held the bad value: with three sources, the operator has to know.
    throw new UsageError(`${label}: ${error.message}`, { cause: error, hint: error.hint });
  }
}

function readTokenFile(tokenFile: string, cwd: string): string {
  if (tokenFile.trim() === "") throw new UsageError("--token-file is empty", { hint: TOKEN_HINT });
  const path = resolve(cwd, tokenFile);
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_TOKEN_FILE_BYTES) {
      throw new UsageError(`--token-file ${tokenFile} is ${size} bytes: too large to be a token file`, {
        hint: "the file should hold the developer token alone",
      });
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    // Someone may have passed the token itself as the "path": then do not echo it.
    const shown = looksLikeToken(tokenFile) ? "(the value given)" : tokenFile;
    const hint =
      shown === tokenFile
        ? "check the path; the file should hold the developer token alone"
        : "pass the path of a file holding the token, never the token itself (it would show in shell history and ps)";
    throw new UsageError(`cannot read --token-file ${shown}: ${code}`, { hint });
  }
  const token = text.trim();
  if (token === "") {
    throw new UsageError(`--token-file ${tokenFile} is empty`, {
      hint: "the file should hold the developer token alone",
    });
  }
  return checkToken(token, `--token-file ${tokenFile}`);
}

/** A token goes into an HTTP header: whitespace or control characters inside mean a wrong file. */
function checkToken(token: string, source: string): string {
  if (/[\s\p{Cc}]/u.test(token)) {
    throw new UsageError(`the token in ${source} contains whitespace or control characters`, {
      hint: "it should hold the developer token alone, on one line",
    });
  }
  return token;
}

function looksLikeToken(value: string): boolean {
  return value.length >= 20 && !/[/\\.~]/.test(value);
}
