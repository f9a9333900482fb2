import type { Dirent } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { resolveDomain } from "../config/resolve-domain.js";
import { UsageError } from "../errors.js";
import { hashManifestEntries } from "./hash-manifest-entries.js";
import { ManifestError } from "./manifest-error.js";
import { parseManifest } from "./parse-manifest.js";
import type {
  LoadedManifests,
  LocatedValue,
  ManifestEntry,
  ManifestFileSummary,
  ManifestIssue,
  ParseResult,
} from "./types.js";

export type { LoadedManifests, ManifestFileSummary, ManifestIssue } from "./types.js";

/** A manifest larger than this is refused before it is read: 50,000 entries take about 5 MiB. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

const MANIFEST_NAME = /\.ya?ml$/i;

/** One file's summary and how many issues it has, for `validate`. */
export interface ManifestFileCheck extends ManifestFileSummary {
  issues: number;
}

/** Every manifest checked: the issues of all of them, and the combined manifests when there are none. */
export interface ManifestCheck {
  files: ManifestFileCheck[];
  /** Grouped by file in the order given, then by line. */
  issues: ManifestIssue[];
  /** Set exactly when `issues` is empty. */
  manifests: LoadedManifests | undefined;
}

/**
 * Reads, parses and checks the manifests a command names and combines them; throws a
 * `ManifestError` with every issue of every file. Nothing may act on manifests before this passed.
 */
export async function loadManifests(paths: string[], cwd: string): Promise<LoadedManifests> {
  const check = await checkManifests(paths, cwd);
  if (check.manifests === undefined) throw new ManifestError(check.issues);
  return check.manifests;
}

/**
 * `loadManifests` without the throw, for `validate`: a directory means every `*.yaml`/`*.yml`
 * directly in it (not in subdirectories, not hidden files), in name order. A file named twice is
 * read once. Duplicate datasources across files, and files disagreeing on `domain` or `journal`,
 * are issues.
 */
export async function checkManifests(paths: string[], cwd: string): Promise<ManifestCheck> {
  if (paths.length === 0) {
    throw new UsageError("no manifest given", { hint: "name one or more manifest files or directories" });
  }
  const issues: ManifestIssue[] = [];
  const files = await expandPaths(paths, cwd, issues);
  const parsed: { result: ParseResult; absolute: string }[] = [];
  for (const file of files) {
    if (file.absolute === undefined) continue;
    const result = await readManifest(file.path, file.absolute);
    issues.push(...result.issues);
    parsed.push({ result, absolute: file.absolute });
  }

  const entries = parsed.flatMap(({ result }) => result.entries);
  issues.push(...duplicatesAcrossFiles(entries));
  const domain = agree(
    parsed.map(({ result }) => ({ file: result.file, at: result.domain })),
    (value) => resolveDomain(value).key,
    "domain",
    issues,
  );
  const journal = agree(
    parsed.map(({ result, absolute }) => ({
      file: result.file,
      at: result.journal && { ...result.journal, value: journalPath(absolute, result.journal.value) },
    })),
    (value) => value,
    "journal",
    issues,
  );

  const order = new Map(files.map((file, index) => [file.path, index]));
  issues.sort(
    (a, b) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || a.line - b.line || a.column - b.column,
  );
  const issueCounts = new Map<string, number>();
  for (const issue of issues) issueCounts.set(issue.file, (issueCounts.get(issue.file) ?? 0) + 1);
  const results = new Map(parsed.map(({ result, absolute }) => [result.file, summarise(result, absolute)]));
  const summaries: ManifestFileCheck[] = files.map((file) => ({
    ...(results.get(file.path) ?? emptySummary(file.path)),
    issues: issueCounts.get(file.path) ?? 0,
  }));
  const manifests: LoadedManifests | undefined =
    issues.length > 0
      ? undefined
      : { files: [...results.values()], entries, domain, journal, hash: hashManifestEntries(entries) };
  return { files: summaries, issues, manifests };
}

interface ManifestFile {
  /** As the operator named it (joined to its directory's name). */
  path: string;
  /** Undefined when the path named nothing readable (an issue says so). */
  absolute: string | undefined;
}

async function expandPaths(paths: string[], cwd: string, issues: ManifestIssue[]): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  const seen = new Set<string>();
  const add = async (path: string, absolute: string | undefined): Promise<void> => {
    // One file reached twice (named, through its directory, through a link) is read once; a path
    // that names nothing readable is keyed by its text, to report it once.
    const key = absolute === undefined ? `\0${path}` : await realpath(absolute).catch(() => absolute);
    if (seen.has(key)) return;
    seen.add(key);
    files.push({ path, absolute });
  };
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(absolute)).isDirectory();
    } catch (error) {
      issues.push(fileIssue(path, describeFsError(error), "check the path"));
      await add(path, undefined);
      continue;
    }
    if (!isDirectory) {
      await add(path, absolute);
      continue;
    }
    let dirents: Dirent[];
    try {
      dirents = await readdir(absolute, { withFileTypes: true });
    } catch (error) {
      issues.push(fileIssue(path, describeFsError(error), "check the directory's permissions"));
      await add(path, undefined);
      continue;
    }
    const names: string[] = [];
    for (const dirent of dirents) {
      if (!MANIFEST_NAME.test(dirent.name) || dirent.name.startsWith(".")) continue;
      if (dirent.isFile() || (dirent.isSymbolicLink() && (await isFile(join(absolute, dirent.name))))) {
        names.push(dirent.name);
      }
    }
    // Code-unit order, not the locale's: the same files run in the same order on every machine.
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) {
      issues.push(
        fileIssue(
          path,
          "the directory holds no *.yaml or *.yml file",
          "subdirectories are not searched: name the files, or their own directory",
        ),
      );
      await add(path, undefined);
    }
    for (const name of names) await add(join(path, name), join(absolute, name));
  }
  return files;
}

async function readManifest(path: string, absolute: string): Promise<ParseResult> {
  const failed = (message: string, hint: string): ParseResult => ({
    file: path,
    entries: [],
    domain: undefined,
    journal: undefined,
    issues: [fileIssue(path, message, hint)],
  });
  let bytes: Buffer;
  try {
    const info = await stat(absolute);
    const { size } = info;
    // A FIFO would hang the read and a device (/dev/zero) would never end it.
    if (!info.isFile()) {
      return failed("it is not a regular file (a FIFO, a device or a socket)", "name a manifest file");
    }
    if (size > MAX_MANIFEST_BYTES) {
      return failed(
        `the file is ${(size / 1024 / 1024).toFixed(1)} MiB; manifests are limited to ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB`,
        "split it into several manifests (a directory of them works)",
      );
    }
    bytes = await readFile(absolute);
  } catch (error) {
    return failed(describeFsError(error), "check the file and its permissions");
  }
  let text: string;
  try {
    // `fatal` turns bad bytes into an error instead of U+FFFD; the decoder drops a BOM.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return failed("the file is not valid UTF-8", "save it as UTF-8");
  }
  return parseManifest(text, path);
}

/** Entries are unique within each file already (`parseManifest`); this finds repeats across files. */
function duplicatesAcrossFiles(entries: ManifestEntry[]): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const byId = new Map<string, ManifestEntry>();
  for (const entry of entries) {
    const key = entry.datasource.toLowerCase();
    const first = byId.get(key);
    if (first === undefined) {
      byId.set(key, entry);
      continue;
    }
    const same =
      first.datasource === entry.datasource
        ? ""
        : ` (as ${first.datasource}: ids differing only in case are one datasource)`;
    issues.push({
      file: entry.file,
      line: entry.line,
      column: entry.column,
      entry: `${entry.index + 1} (${entry.datasource})`,
      field: "datasource",
      message: `datasource ${entry.datasource} is listed twice: entry ${first.index + 1} at ${first.file}:${first.line}:${first.column}${same} and entry ${entry.index + 1} at ${entry.file}:${entry.line}:${entry.column}`,
      hint: "keep one of the two entries",
    });
  }
  return issues;
}

/** The one value the files agree on (compared by `normalise`), or an issue where a file differs. */
function agree(
  values: { file: string; at: LocatedValue | undefined }[],
  normalise: (value: string) => string,
  field: "domain" | "journal",
  issues: ManifestIssue[],
): string | undefined {
  let first: { file: string; at: LocatedValue; key: string } | undefined;
  for (const { file, at } of values) {
    if (at === undefined) continue;
    const key = normalise(at.value);
    if (first === undefined) {
      first = { file, at, key };
      continue;
    }
    if (key === first.key) continue;
    issues.push({
      file,
      line: at.line,
      column: at.column,
      entry: undefined,
      field,
      message: `${field} ${at.value} differs from ${first.at.value} in ${first.file}:${first.at.line}:${first.at.column}`,
      hint: `manifests used together must name the same ${field}, or leave it out`,
    });
  }
  return first?.at.value;
}

function summarise(result: ParseResult, absolute: string): ManifestFileSummary {
  const accounts = [...new Set(result.entries.map((entry) => entry.account))].sort((a, b) =>
    a.localeCompare(b, "en", { numeric: true }),
  );
  return {
    path: result.file,
    entries: result.entries.length,
    accounts,
    domain: result.domain?.value,
    journal: result.journal === undefined ? undefined : journalPath(absolute, result.journal.value),
  };
}

/**
 * A manifest's `journal`, resolved against the manifest's own directory, so that a run from
 * another directory (cron, CI) finds the same journal; `~/` is the home directory, as in a shell.
 */
function journalPath(manifest: string, journal: string): string {
  if (journal === "~" || journal.startsWith("~/")) return join(homedir(), journal.slice(1));
  return resolve(dirname(manifest), journal);
}

function emptySummary(path: string): ManifestFileSummary {
  return { path, entries: 0, accounts: [], domain: undefined, journal: undefined };
}

function fileIssue(file: string, message: string, hint: string): ManifestIssue {
  return { file, line: 0, column: 0, entry: undefined, field: undefined, message, hint };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return `cannot read it (${code ?? String(error)})`;
  }
}
