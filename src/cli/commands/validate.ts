import type { Argv } from "yargs";
import { ExitCode } from "../../exit-codes.js";
import type { ManifestCheck } from "../../manifest/load-manifests.js";
import type { ManifestIssue } from "../../manifest/types.js";
import { plural } from "../../report/plural.js";
import type { CliIo } from "../context.js";
import { type BuiltArgs, defineCommand, type GlobalOptionArgs } from "../define-command.js";

/** `validate`'s options: the manifests. */
const validateOptions = (yargs: Argv<GlobalOptionArgs>) =>
  yargs
    .positional("manifests", {
      type: "string",
      array: true,
      demandOption: true,
      description: "Manifest files, or directories of *.yaml/*.yml files (not searched recursively)",
    })
    .example("$0 validate manifests/", "check every manifest in a directory")
    .example(
      "$0 validate wave1.yaml wave2.yaml",
      "check two manifests used together (duplicates across them too)",
    )
    .example("$0 validate manifests/ --json", "one JSON document on stdout, for CI");

/** `fedmigrate validate`'s arguments. */
export type ValidateArgs = BuiltArgs<typeof validateOptions>;

/**
 * `fedmigrate validate <manifest…>`: checks manifests offline. Calls nothing on the network and
 * opens no journal.
 *
 * Output: stdout has one line per file (`ok  path  N entries, M accounts`, or `FAIL` with its
 * problem count); the problems themselves go to stderr, one per line, as for every command that
 * meets a bad manifest; exit 2. With `--json`, stdout is one document of the same shape whether
 * it passed or not, and nothing else is written.
 */
export const validateCommand = defineCommand({
  command: "validate <manifests..>",
  describe: "Check manifests offline: every problem, with its file, line and column; calls nothing",
  builder: validateOptions,
  run: runValidate,
});

async function runValidate(args: ValidateArgs, io: CliIo): Promise<number> {
  // Loaded here, not at the top: `fedmigrate --help` should not pay for the YAML parser.
  const { checkManifests } = await import("../../manifest/load-manifests.js");
  const check = await checkManifests(args.manifests, io.cwd);

  if (args.json) {
    io.stdout.write(`${JSON.stringify(toJson(check), null, 2)}\n`);
    return check.manifests === undefined ? ExitCode.INVALID : ExitCode.OK;
  }

  for (const file of check.files) {
    const line =
      file.issues === 0
        ? `ok    ${file.path}  ${plural(file.entries, "entry", "entries")}, ${plural(file.accounts.length, "account", "accounts")}`
        : `FAIL  ${file.path}  ${plural(file.issues, "problem", "problems")}`;
    io.stdout.write(`${line}\n`);
  }
  if (check.manifests === undefined) {
    const { ManifestError } = await import("../../manifest/manifest-error.js");
    throw new ManifestError(check.issues);
  }
  return ExitCode.OK;
}

function toJson(check: ManifestCheck): Record<string, unknown> {
  return {
    success: check.manifests !== undefined,
    files: check.files.map((file) => ({
      path: file.path,
      entries: file.entries,
      accounts: file.accounts,
      domain: file.domain ?? null,
      journal: file.journal ?? null,
      issues: file.issues,
    })),
    entries: check.manifests?.entries.length ?? null,
    hash: check.manifests?.hash ?? null,
    issues: check.issues.map(issueJson),
  };
}

function issueJson(issue: ManifestIssue): Record<string, unknown> {
  return {
    file: issue.file,
    line: issue.line,
    column: issue.column,
    entry: issue.entry ?? null,
    field: issue.field ?? null,
    message: issue.message,
    hint: issue.hint ?? null,
  };
}
