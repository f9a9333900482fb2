import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { ExitCode } from "../../exit-codes.js";
import type { ManifestCheck } from "../../manifest/load-manifests.js";
import type { ManifestIssue } from "../../manifest/types.js";
import { plural } from "../../report/plural.js";
import type { CommandContext, GlobalArgs } from "../context.js";

/** `fedmigrate validate`'s arguments. */
export interface ValidateArgs extends GlobalArgs {
  manifests: string[];
}

/**
 * `fedmigrate validate <manifest…>`: checks manifests offline. Calls nothing on the network and
 * opens no journal.
 *
 * Output: stdout has one line per file (`ok  path  N entries, M accounts`, or `FAIL` with its
 * problem count); the problems themselves go to stderr, one per line, as for every command that
 * meets a bad manifest; exit 2. With `--json`, stdout is one document of the same shape whether
 * it passed or not, and nothing else is written.
 */
export const validateCommand = {
  command: "validate <manifests..>",
  describe: "Check manifests offline: every problem, with its file, line and column; calls nothing",
  builder: (yargs: Argv) =>
    yargs
      .positional("manifests", {
        type: "string",
        array: true,
        description: "Manifest files, or directories of *.yaml/*.yml files (not searched recursively)",
      })
      .example("$0 validate manifests/", "check every manifest in a directory")
      .example(
        "$0 validate wave1.yaml wave2.yaml",
        "check two manifests used together (duplicates across them too)",
      )
      .example("$0 validate manifests/ --json", "one JSON document on stdout, for CI"),
  handler: handleValidate as unknown as CommandModule<object, object>["handler"],
} satisfies CommandModule<object, object>;

async function handleValidate(args: ArgumentsCamelCase<ValidateArgs>, ctx: CommandContext): Promise<void> {
  // Loaded here, not at the top: `fedmigrate --help` should not pay for the YAML parser.
  const { checkManifests } = await import("../../manifest/load-manifests.js");
  const check = await checkManifests(args.manifests, ctx.io.cwd);

  if (args.json) {
    ctx.io.stdout.write(`${JSON.stringify(toJson(check), null, 2)}\n`);
    ctx.exitCode = check.manifests === undefined ? ExitCode.INVALID : ExitCode.OK;
    return;
  }

  for (const file of check.files) {
    const line =
      file.issues === 0
        ? `ok    ${file.path}  ${plural(file.entries, "entry", "entries")}, ${plural(file.accounts.length, "account", "accounts")}`
        : `FAIL  ${file.path}  ${plural(file.issues, "problem", "problems")}`;
    ctx.io.stdout.write(`${line}\n`);
  }
  if (check.manifests === undefined) {
    const { ManifestError } = await import("../../manifest/manifest-error.js");
    throw new ManifestError(check.issues);
  }
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
