import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { resolveDomain } from "../config/resolve-domain.js";
import { UsageError } from "../errors.js";
import { readDefaults, readEntries } from "./read-entries.js";
import { checkText, readText } from "./read-field.js";
import { type KeyedValue, misplacedInTop, readMapping } from "./read-mapping.js";
import { readSimpleYaml } from "./read-simple-yaml.js";
import { describeNode, offsetOf, type ParseContext, reportIssue } from "./report-issue.js";
import { deref, resolveAliases } from "./resolve-aliases.js";
import { MANIFEST_VERSION, TOP_FIELD_NAMES, TOP_FIELDS, type TopFieldName } from "./schema.js";
import type { LocatedValue, ParseResult } from "./types.js";

// The parse is split by concern: aliases (resolve-aliases), keys of a mapping (read-mapping), one
// value (read-field), defaults and entries (read-entries), positions and issues (report-issue).

const SHAPE_HINT = "a manifest starts with `version: 1` and lists entries under `migrations:`";

/** Friendlier words for the YAML errors operators actually make. */
const YAML_ERROR_HINTS: Record<string, string> = {
  MULTIPLE_DOCS: "a manifest holds one YAML document: split it at the `---` into separate files",
  TAB_AS_INDENT: "indent with spaces, not tabs",
  MISSING_CHAR: "close the quote or bracket that starts here",
  BAD_INDENT: "check the indentation of this line against the lines above it",
};

/**
 * Parses and checks one manifest's text (SPEC section 3). Pure: no I/O. Collects every issue of
 * the file, in source order; the entries returned are the ones without issues. Duplicate
 * datasources within the file are found here; across files, by `loadManifests`.
 */
export function parseManifest(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const ctx: ParseContext = { file, lines: new LineCounter(), issues: [], aliases: new Map() };
  const result: ParseResult = {
    file,
    entries: [],
    domain: undefined,
    journal: undefined,
    issues: ctx.issues,
  };
  try {
    const simple = options.simpleYaml === false ? undefined : readSimpleYaml(text);
    if (simple === undefined) {
      readDocument(ctx, text, result);
    } else {
      ctx.lines = simple.lines;
      readManifestNode(ctx, simple.root, text, result);
    }
  } catch (error) {
    // The YAML composer recurses: thousands of nested brackets overflow the stack.
    if (!(error instanceof RangeError)) throw error;
    reportIssue(ctx, 0, "the YAML is nested too deeply to read", {}, SHAPE_HINT);
  }
  ctx.issues.sort((a, b) => a.line - b.line || a.column - b.column);
  return result;
}

/** Options of `parseManifest`, for tests. */
export interface ParseOptions {
  /**
   * Try the fast reader of `read-simple-yaml.ts` first (the default). Tests turn it off to check
   * that both readers agree.
   */
  simpleYaml?: boolean;
}

function readDocument(ctx: ParseContext, text: string, result: ParseResult): void {
  const doc = parseDocument(text, {
    lineCounter: ctx.lines,
    // Our own messages: the pretty ones quote source lines, which may hold a pasted secret.
    prettyErrors: false,
    // Duplicate keys are reported by `readMapping`, naming both lines.
    uniqueKeys: false,
    version: "1.2",
  });
  if (doc.errors.length > 0) {
    // A syntax error makes everything after it guesswork: report only the syntax.
    for (const error of doc.errors) {
      reportIssue(ctx, error.pos[0], `YAML syntax: ${error.message}`, {}, YAML_ERROR_HINTS[error.code]);
    }
    return;
  }
  readManifestNode(ctx, doc.contents, text, result);
}

/** Checks the document's root node, from either reader. */
function readManifestNode(ctx: ParseContext, contents: unknown, text: string, result: ParseResult): void {
  // Only aliases need the anchor pass, and an alias needs a `*`.
  if (text.includes("*") && !resolveAliases(ctx, contents)) return;

  const root = deref(ctx, contents);
  if (root === null || (isScalar(root) && root.value === null)) {
    reportIssue(ctx, 0, "the manifest is empty", {}, SHAPE_HINT);
    return;
  }
  if (!isMap(root)) {
    reportIssue(
      ctx,
      offsetOf(root),
      `a manifest must be a mapping, found ${describeNode(root)}`,
      {},
      SHAPE_HINT,
    );
    return;
  }
  const suggested = new Set<string>();
  const top = readMapping(ctx, root, TOP_FIELD_NAMES, {}, misplacedInTop, "", suggested);
  for (const name of TOP_FIELD_NAMES) {
    if (TOP_FIELDS[name].required && !top.has(name) && !suggested.has(name)) {
      const hint = name === "version" ? "add `version: 1` as the first line" : SHAPE_HINT;
      reportIssue(ctx, offsetOf(root), `missing \`${name}\``, {}, hint);
    }
  }

  const version = top.get("version");
  if (version !== undefined) readVersion(ctx, version);
  const domain = top.get("domain");
  if (domain !== undefined) result.domain = readDomain(ctx, domain);
  const journal = top.get("journal");
  if (journal !== undefined) result.journal = readTopText(ctx, journal, "journal");

  const defaults = readDefaults(ctx, top.get("defaults"));
  const migrations = top.get("migrations");
  if (migrations !== undefined) readEntries(ctx, migrations, defaults, result.entries);
}

/**
 * `version: 1`, as written: decided on the text, so that `1.0` or `0x1` (numbers equal to 1 in
 * YAML) are not taken for it, whichever reader read the file.
 */
function readVersion(ctx: ParseContext, keyed: KeyedValue): void {
  const node = deref(ctx, keyed.node);
  const expected = String(MANIFEST_VERSION);
  if (isScalar(node) && node.type === "PLAIN" && node.source === expected) return;
  const quoted = isScalar(node) && node.type !== "PLAIN";
  const found = !isScalar(node)
    ? describeNode(node)
    : quoted
      ? `the string ${JSON.stringify(node.value)}`
      : node.value === null
        ? "nothing"
        : String(node.source);
  const hint =
    quoted && String(node.value).trim() === expected
      ? `write \`version: ${expected}\` without quotes`
      : `this fedmigrate reads version ${expected} manifests: write \`version: ${expected}\``;
  reportIssue(ctx, keyed.offset, `version must be ${expected}, found ${found}`, { field: "version" }, hint);
}

function readTopText(ctx: ParseContext, keyed: KeyedValue, field: TopFieldName): LocatedValue | undefined {
  const where = { field };
  const value = readText(ctx, keyed, where);
  if (value === undefined) return undefined;
  if (value === null) {
    reportIssue(ctx, keyed.offset, "no value", where, "give a value, or remove the key");
    return undefined;
  }
  if (!checkText(ctx, value, keyed.offset, where, undefined)) return undefined;
  const { line, col } = ctx.lines.linePos(keyed.offset);
  return { value, line, column: col };
}

function readDomain(ctx: ParseContext, keyed: KeyedValue): LocatedValue | undefined {
  const domain = readTopText(ctx, keyed, "domain");
  if (domain === undefined) return undefined;
  try {
    resolveDomain(domain.value);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    reportIssue(ctx, keyed.offset, error.message, { field: "domain" }, error.hint);
    return undefined;
  }
  return domain;
}
