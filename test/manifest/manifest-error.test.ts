import { describe, expect, it } from "vitest";
import { FedmigrateError } from "../../src/errors.js";
import { formatManifestIssue, ManifestError } from "../../src/manifest/manifest-error.js";
import type { ManifestIssue } from "../../src/manifest/types.js";

const base: ManifestIssue = {
  file: "m.yaml",
  line: 7,
  column: 5,
  entry: "1 (abc)",
  field: "tabel",
  message: "unknown key `tabel`",
  hint: "did you mean `table`?",
};

describe("formatManifestIssue", () => {
  it.each([
    [base, "m.yaml:7:5: entry 1 (abc): tabel: unknown key `tabel` (did you mean `table`?)"],
    [{ ...base, entry: undefined }, "m.yaml:7:5: tabel: unknown key `tabel` (did you mean `table`?)"],
    [{ ...base, field: undefined, hint: undefined }, "m.yaml:7:5: entry 1 (abc): unknown key `tabel`"],
    [
      {
        ...base,
        line: 0,
        column: 0,
        entry: undefined,
        field: undefined,
        message: "no such file or directory",
      },
      "m.yaml: no such file or directory (did you mean `table`?)",
    ],
  ])("%#", (issue, expected) => {
    expect(formatManifestIssue(issue)).toBe(expected);
  });
});

describe("ManifestError", () => {
  it("is a run-stopping MANIFEST_INVALID error listing every issue, one per line", () => {
    const error = new ManifestError([
      base,
      { ...base, line: 9, entry: "2", field: "table", message: "no value", hint: undefined },
    ]);
    expect(error).toBeInstanceOf(FedmigrateError);
    expect(error.code).toBe("MANIFEST_INVALID");
    expect(error.issues).toHaveLength(2);
    expect(error.message).toBe(
      [
        "invalid manifest: 2 problems",
        "m.yaml:7:5: entry 1 (abc): tabel: unknown key `tabel` (did you mean `table`?)",
        "m.yaml:9:5: entry 2: table: no value",
      ].join("\n"),
    );
    expect(error.hint).toMatch(/Nothing was sent to Domo/);
  });
});
