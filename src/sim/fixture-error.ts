import { FedmigrateError } from "../errors.js";

/** One problem in a simulator fixture, at a field path such as `datasources[3].table`. */
export interface FixtureIssue {
  /** The path of the bad field (`faults.rate429`, `datasources[3].table`); empty for the root. */
  path: string;
  message: string;
  /** Where the field is in the YAML file, when the fixture came from one (1-based). */
  line?: number;
  column?: number;
}

/**
 * A fixture that cannot be served. All issues are collected, not only the first, so a broken
 * fixture is fixed in one pass. A usage error: `fedmigrate simulate` exits 2.
 */
export class FixtureError extends FedmigrateError {
  override name = "FixtureError";
  readonly source: string;
  readonly issues: readonly FixtureIssue[];

  constructor(source: string, issues: readonly FixtureIssue[], options: { cause?: unknown } = {}) {
    const lines = issues.map((issue) => {
      const where = issue.line === undefined ? "" : `${issue.line}:${issue.column ?? 1}: `;
      return `  ${where}${issue.path || "(fixture)"}: ${issue.message}`;
    });
    super(
      "USAGE",
      `invalid simulator fixture ${source} (${issues.length} issue${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
      {
        ...options,
        hint: "Fix the fields named above; the fixture format is described at the top of manifests/demo/fixture.yaml.",
      },
    );
    this.source = source;
    this.issues = issues;
  }
}
