import { FedmigrateError } from "../errors.js";
import type { ManifestIssue } from "./types.js";

/** One issue on one line: `path:line:col: entry N (id): field: message (hint)`. */
export function formatManifestIssue(issue: ManifestIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  const entry = issue.entry === undefined ? "" : `entry ${issue.entry}: `;
  const field = issue.field === undefined ? "" : `${issue.field}: `;
  const hint = issue.hint === undefined ? "" : ` (${issue.hint})`;
  return `${where}: ${entry}${field}${issue.message}${hint}`;
}

/** One or more manifests did not validate (exit 2). Carries every issue of every file. */
export class ManifestError extends FedmigrateError {
  override name = "ManifestError";
  readonly issues: ManifestIssue[];

  constructor(issues: ManifestIssue[]) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super("MANIFEST_INVALID", [`invalid manifest: ${count}`, ...issues.map(formatManifestIssue)].join("\n"), {
      hint: "Nothing was sent to Domo. Fix the problems above, then check again with `fedmigrate validate`.",
    });
    this.issues = issues;
  }
}
