import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
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
  /** Things to tell the operator that do not stop the command (a token file others can read). */
  warnings: string[];
}

/**
 * Applies SPEC section 2's precedence: flag, then environment, then manifest, then default.
 * An empty environment variable counts as unset (as shells and CI systems treat it); an empty
 * flag is an error. Throws `UsageError`, never with the token in it.
 */
export function resolveConfig(input: ConfigInput): ResolvedConfig {
  const { flags, env, manifest, cwd } = input;

  const domain = pickDomain(flags.domain, env.DOMO_DOMAIN, manifest?.domain);
  const journal = pick([
    ["flag", flags.journal, "--journal"],
    ["env", env.FEDMIGRATE_JOURNAL, "FEDMIGRATE_JOURNAL"],
    ["manifest", manifest?.journal, "the manifest's journal"],
  ]);

  let token: string | undefined;
  let tokenSource: ResolvedConfig["tokenSource"];
  const warnings: string[] = [];
  if (flags.tokenFile !== undefined) {
    token = readTokenFile(flags.tokenFile, cwd, warnings);
    tokenSource = "file";
  } else if (env.DOMO_DEVELOPER_TOKEN !== undefined && env.DOMO_DEVELOPER_TOKEN.trim() !== "") {
    token = checkToken(env.DOMO_DEVELOPER_TOKEN.trim(), "DOMO_DEVELOPER_TOKEN");
    tokenSource = "env";
  }

  // From here on, every output path redacts it, in any encoding (see clean-server-text.ts).
  if (token !== undefined) registerSecret(token);

  return {
    domain: domain?.info,
    domainSource: domain?.source,
    journalPath: resolve(cwd, journal?.value ?? DEFAULT_JOURNAL),
    journalSource: journal?.source ?? "default",
    token,
    tokenSource,
    warnings,
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

/**
 * The domain by SPEC section 2's rules, since it decides where the token is sent. `--domain`
 * wins. A manifest may name only a Domo instance or loopback (a pull request that edits a
 * manifest must not be able to send the token elsewhere); and when DOMO_DOMAIN and the manifest
 * name different instances, neither silently wins: a leftover variable means the wrong Domo.
 */
function pickDomain(
  flag: string | undefined,
  envValue: string | undefined,
  manifestValue: string | undefined,
): { source: Source; info: DomainInfo } | undefined {
  const given = pick([
    ["flag", flag, "--domain"],
    ["env", envValue, "DOMO_DOMAIN"],
  ]);
  if (given?.source === "flag") return { source: "flag", info: resolveDomainFrom(given.value, given.label) };
  const fromEnv = given === undefined ? undefined : resolveDomainFrom(given.value, given.label);
  const fromManifest =
    manifestValue === undefined || manifestValue.trim() === ""
      ? undefined
      : resolveDomainFrom(manifestValue, "the manifest's domain");
  if (fromEnv !== undefined && fromManifest !== undefined && fromEnv.key !== fromManifest.key) {
    throw new UsageError(
      `DOMO_DOMAIN names ${fromEnv.key} but the manifest's domain names ${fromManifest.key}: which Domo is meant?`,
      {
        hint: `pass --domain ${fromManifest.key} (or --domain ${fromEnv.key}) to say which, or unset DOMO_DOMAIN / fix the manifest`,
      },
    );
  }
  if (fromEnv !== undefined) return { source: "env", info: fromEnv };
  if (fromManifest === undefined) return undefined;
  if (!fromManifest.trusted) {
    throw new UsageError(
      `the manifest's domain ${fromManifest.key} is not a Domo instance (*.domo.com) nor this machine: fedmigrate will not send the token where a file says`,
      {
        hint: `if ${fromManifest.key} is really your Domo, pass --domain ${fromManifest.key} or set DOMO_DOMAIN=${fromManifest.key}`,
      },
    );
  }
  return { source: "manifest", info: fromManifest };
}

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

/**
 * Reads `--token-file`: a regular file of at most 64 KiB, or a usage error at once. The type is
 * checked before anything is read, and the file is opened without blocking, so a FIFO never
 * hangs and `/dev/zero` is never read; at most 64 KiB + 1 bytes are read whatever the file
 * claims. A file that its group or others may read gets a warning (in `warnings`).
 */
function readTokenFile(tokenFile: string, cwd: string, warnings: string[]): string {
  if (tokenFile.trim() === "") throw new UsageError("--token-file is empty", { hint: TOKEN_HINT });
  const path = resolve(cwd, tokenFile);
  // Someone may have passed the token itself as the "path": then do not echo it.
  const shown = looksLikeToken(tokenFile) ? "(the value given)" : tokenFile;
  const cannotRead = (error: unknown): never => {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    const hint =
      shown === tokenFile
        ? "check the path; the file should hold the developer token alone"
        : "pass the path of a file holding the token, never the token itself (it would show in shell history and ps)";
    throw new UsageError(`cannot read --token-file ${shown}: ${code}`, { hint });
  };
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    return cannotRead(error);
  }
  checkTokenFileStat(stat, shown);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return cannotRead(error);
  }
  let text: string;
  try {
    // The path may have been swapped since the stat: check what was opened.
    checkTokenFileStat(fstatSync(fd), shown);
    const buffer = Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) {
        throw new UsageError(`--token-file ${shown} holds more than 64 KiB: too large to be a token file`, {
          hint: "the file should hold the developer token alone",
        });
      }
    }
    text = buffer.subarray(0, length).toString("utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return cannotRead(error);
  } finally {
    closeSync(fd);
  }
  if ((stat.mode & 0o077) !== 0) {
    warnings.push(
      `--token-file ${shown} can be read by ${stat.mode & 0o007 ? "every user of this machine" : "its group"} (mode ${(stat.mode & 0o777).toString(8).padStart(3, "0")}): run chmod 600 ${shown}`,
    );
  }
  const token = text.trim();
  if (token === "") {
    throw new UsageError(`--token-file ${shown} is empty`, {
      hint: "the file should hold the developer token alone",
    });
  }
  return checkToken(token, `--token-file ${shown}`);
}

/** A regular file of at most 64 KiB; a FIFO, a device or a directory is named as what it is. */
function checkTokenFileStat(stat: Stats, shown: string): void {
  const hint = "pass the path of a regular file holding the developer token alone";
  const kind = stat.isFIFO()
    ? "a FIFO (named pipe)"
    : stat.isCharacterDevice() || stat.isBlockDevice()
      ? "a device"
      : stat.isDirectory()
        ? "a directory"
        : stat.isSocket()
          ? "a socket"
          : stat.isFile()
            ? undefined
            : "not a regular file";
  if (kind !== undefined) {
    throw new UsageError(`--token-file ${shown} is ${kind}, not a regular file`, { hint });
  }
  if (stat.size > MAX_TOKEN_FILE_BYTES) {
    throw new UsageError(
      `--token-file ${shown} is ${stat.size} bytes: too large to be a token file (at most 64 KiB)`,
      { hint: "the file should hold the developer token alone" },
    );
  }
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
