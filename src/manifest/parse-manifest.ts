import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { resolveDomain } from "../config/resolve-domain.js";
import { UsageError } from "../errors.js";
import { readSimpleYaml } from "./read-simple-yaml.js";
import {
  CONTROL_CHARACTER,
  DEFAULTABLE_FIELD_NAMES,
  type DefaultableFieldName,
  ENTRY_FIELD_NAMES,
  ENTRY_FIELDS,
  type EntryFieldName,
  type EntryFieldSpec,
  ID_PATTERN,
  MANIFEST_VERSION,
  TOP_FIELD_NAMES,
  TOP_FIELDS,
  type TopFieldName,
} from "./schema.js";
import { suggestKey } from "./suggest-key.js";
import type { LocatedValue, ManifestEntry, ManifestIssue, ParseResult } from "./types.js";

/** Any key that mentions a token is refused, wherever it is: the token never belongs in a file. */
const TOKEN_KEY = /token/i;

/**
 * An alias bomb expands a few lines into billions of nodes. A real manifest's aliases repeat
 * scalars, so its expanded size stays close to its own; past this factor it is refused.
 */
const MAX_ALIAS_EXPANSION = 10;
const ALIAS_EXPANSION_ALLOWANCE = 10_000;

const SHAPE_HINT = "a manifest starts with `version: 1` and lists entries under `migrations:`";
const TOKEN_HINT =
  "remove it: set DOMO_DEVELOPER_TOKEN or pass --token-file PATH instead, and revoke that token if this file was ever shared or committed";
const ID_HINT = "an id is letters, digits, `.`, `_`, `:` and `-`, starting with a letter or digit";

/** Friendlier words for the YAML errors operators actually make. */
const YAML_ERROR_HINTS: Record<string, string> = {
  MULTIPLE_DOCS: "a manifest holds one YAML document: split it at the `---` into separate files",
  TAB_AS_INDENT: "indent with spaces, not tabs",
  MISSING_CHAR: "close the quote or bracket that starts here",
  BAD_INDENT: "check the indentation of this line against the lines above it",
};

type Where = { entry?: string | undefined; field?: string | undefined };

/** The state of one file's parse. */
interface Context {
  file: string;
  lines: LineCounter;
  issues: ManifestIssue[];
  /** Each alias node's anchored node; absent when it has none (already reported). */
  aliases: Map<Alias, Node>;
}

/** A value read from an entry or from `defaults`, with where it was written. */
interface FieldValue {
  value: string;
  offset: number;
}

/**
 * Parses and checks one manifest's text (SPEC section 3). Pure: no I/O. Collects every issue of
 * the file, in source order; the entries returned are the ones without issues. Duplicate
 * datasources within the file are found here; across files, by `loadManifests`.
 */
export function parseManifest(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const ctx: Context = { file, lines: new LineCounter(), issues: [], aliases: new Map() };
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
    report(ctx, 0, "the YAML is nested too deeply to read", {}, SHAPE_HINT);
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

function readDocument(ctx: Context, text: string, result: ParseResult): void {
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
      report(ctx, error.pos[0], `YAML syntax: ${error.message}`, {}, YAML_ERROR_HINTS[error.code]);
    }
    return;
  }
  readManifestNode(ctx, doc.contents, text, result);
}

/** Checks the document's root node, from either reader. */
function readManifestNode(ctx: Context, contents: unknown, text: string, result: ParseResult): void {
  // Only aliases need the anchor pass, and an alias needs a `*`.
  if (text.includes("*") && !resolveAliases(ctx, contents)) return;

  const root = deref(ctx, contents);
  if (root === null || (isScalar(root) && root.value === null)) {
    report(ctx, 0, "the manifest is empty", {}, SHAPE_HINT);
    return;
  }
  if (!isMap(root)) {
    report(ctx, offsetOf(root), `a manifest must be a mapping, found ${describe(root)}`, {}, SHAPE_HINT);
    return;
  }
  const suggested = new Set<string>();
  const top = readMapping(ctx, root, TOP_FIELD_NAMES, {}, misplacedInTop, "", suggested);
  for (const name of TOP_FIELD_NAMES) {
    if (TOP_FIELDS[name].required && !top.has(name) && !suggested.has(name)) {
      const hint = name === "version" ? "add `version: 1` as the first line" : SHAPE_HINT;
      report(ctx, offsetOf(root), `missing \`${name}\``, {}, hint);
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

// ---------------------------------------------------------------------------------------------
// Aliases

/**
 * Maps every alias to its anchored node in one pass (the latest anchor of that name before it,
 * as YAML says), and refuses an alias bomb or a self-containing alias before anything expands.
 * `Alias.resolve` is not used: it walks the whole document per call, quadratic over a big file.
 */
function resolveAliases(ctx: Context, contents: unknown): boolean {
  const anchors = new Map<string, Node>();
  let nodes = 0;
  let ok = true;
  const visit = (node: unknown): void => {
    if (isAlias(node)) {
      nodes++;
      const target = anchors.get(node.source);
      if (target === undefined) {
        report(
          ctx,
          offsetOf(node),
          `the alias *${node.source} has no anchor &${node.source} before it`,
          {},
          undefined,
        );
        ok = false;
      } else {
        ctx.aliases.set(node, target);
      }
      return;
    }
    if (isScalar(node)) {
      nodes++;
      if (node.anchor) anchors.set(node.anchor, node);
      return;
    }
    if (isMap(node) || isSeq(node)) {
      nodes++;
      if (node.anchor) anchors.set(node.anchor, node);
      for (const item of node.items) {
        if (isPair(item)) {
          visit(item.key);
          visit(item.value);
        } else {
          visit(item);
        }
      }
    }
  };
  visit(contents);
  if (!ok) return false;

  // The size each node would have with its aliases expanded, memoised so that this stays linear.
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let cycle: Alias | undefined;
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      const target = ctx.aliases.get(node);
      if (target === undefined) return 1;
      if (open.has(target)) {
        cycle ??= node;
        return 1;
      }
      return size(target);
    }
    if (!(isMap(node) || isSeq(node))) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    open.add(node);
    let total = 1;
    for (const item of node.items) total += isPair(item) ? size(item.key) + size(item.value) : size(item);
    open.delete(node);
    sizes.set(node, total);
    return total;
  };
  const expanded = size(contents);
  if (cycle !== undefined) {
    report(ctx, offsetOf(cycle), `the alias *${cycle.source} is inside the node it refers to`, {}, undefined);
    return false;
  }
  if (expanded > nodes * MAX_ALIAS_EXPANSION + ALIAS_EXPANSION_ALLOWANCE) {
    report(
      ctx,
      0,
      `aliases expand this file from ${nodes} to ${expanded.toPrecision(3)} YAML nodes, which looks like an alias bomb; nothing was expanded`,
      {},
      "write the values out instead of nesting aliases",
    );
    return false;
  }
  return true;
}

/** The node an alias stands for; any other node as is. */
function deref(ctx: Context, node: unknown): unknown {
  return isAlias(node) ? (ctx.aliases.get(node) ?? null) : node;
}

// ---------------------------------------------------------------------------------------------
// Mappings and keys

/** A known key of a mapping: its value node (maybe an alias) and where the value was written. */
interface KeyedValue {
  node: unknown;
  offset: number;
  keyOffset: number;
}

/**
 * Reads a mapping's keys: reports keys that are not plain names, duplicates (naming both lines),
 * token keys, and unknown keys (with a likely typo or where the key belongs). Returns the known
 * keys' values; adds the keys suggested for typos to `suggested`, so that the caller does not
 * also report them missing.
 */
function readMapping<K extends string>(
  ctx: Context,
  map: YAMLMap,
  known: readonly K[],
  where: Where,
  misplaced: (key: string) => string | undefined,
  prefix = "",
  suggested: Set<string> = new Set(),
): Map<K, KeyedValue> {
  const found = new Map<K, KeyedValue>();
  const seen = new Map<string, number>();
  for (const pair of map.items) {
    const keyNode = deref(ctx, pair.key);
    const keyOffset = offsetOf(pair.key, offsetOf(map));
    const valueOffset = offsetOf(pair.value, keyOffset);
    if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === "object") {
      report(ctx, keyOffset, "a key must be a plain name", where, `known keys here: ${known.join(", ")}`);
      continue;
    }
    const key = typeof keyNode.value === "string" ? keyNode.value : (keyNode.source ?? String(keyNode.value));
    const field = `${prefix}${key}`;
    const firstOffset = seen.get(key);
    if (firstOffset !== undefined) {
      const first = ctx.lines.linePos(firstOffset);
      report(
        ctx,
        keyOffset,
        `\`${key}\` is given twice (first at line ${first.line})`,
        { ...where, field },
        "keep one",
      );
      continue;
    }
    seen.set(key, keyOffset);
    if (TOKEN_KEY.test(key)) {
      report(
        ctx,
        keyOffset,
        "a developer token must never be in a manifest",
        { ...where, field },
        TOKEN_HINT,
      );
      continue;
    }
    if (!(known as readonly string[]).includes(key)) {
      const suggestion = suggestKey(key, known);
      if (suggestion !== undefined) suggested.add(suggestion);
      const hint =
        suggestion !== undefined
          ? `did you mean \`${suggestion}\`?`
          : (misplaced(key) ?? `known keys here: ${known.join(", ")}`);
      report(ctx, keyOffset, `unknown key \`${key}\``, { ...where, field }, hint);
      continue;
    }
    found.set(key as K, { node: pair.value, offset: valueOffset, keyOffset });
  }
  return found;
}

function misplacedInTop(key: string): string | undefined {
  if ((ENTRY_FIELD_NAMES as readonly string[]).includes(key)) {
    return `\`${key}\` belongs in an entry under \`migrations\`, or in \`defaults\``;
  }
  return undefined;
}

function misplacedInEntry(key: string): string | undefined {
  if ((TOP_FIELD_NAMES as readonly string[]).includes(key)) return `\`${key}\` belongs at the top level`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Top-level fields

/**
 * `version: 1`, as written: decided on the text, so that `1.0` or `0x1` (numbers equal to 1 in
 * YAML) are not taken for it, whichever reader read the file.
 */
function readVersion(ctx: Context, keyed: KeyedValue): void {
  const node = deref(ctx, keyed.node);
  const expected = String(MANIFEST_VERSION);
  if (isScalar(node) && node.type === "PLAIN" && node.source === expected) return;
  const quoted = isScalar(node) && node.type !== "PLAIN";
  const found = !isScalar(node)
    ? describe(node)
    : quoted
      ? `the string ${JSON.stringify(node.value)}`
      : node.value === null
        ? "nothing"
        : String(node.source);
  const hint =
    quoted && String(node.value).trim() === expected
      ? `write \`version: ${expected}\` without quotes`
      : `this fedmigrate reads version ${expected} manifests: write \`version: ${expected}\``;
  report(ctx, keyed.offset, `version must be ${expected}, found ${found}`, { field: "version" }, hint);
}

function readTopText(ctx: Context, keyed: KeyedValue, field: TopFieldName): LocatedValue | undefined {
  const where = { field };
  const value = readText(ctx, keyed, where);
  if (value === undefined) return undefined;
  if (value === null) {
    report(ctx, keyed.offset, "no value", where, "give a value, or remove the key");
    return undefined;
  }
  if (!checkText(ctx, value, keyed.offset, where, undefined)) return undefined;
  const { line, col } = ctx.lines.linePos(keyed.offset);
  return { value, line, column: col };
}

function readDomain(ctx: Context, keyed: KeyedValue): LocatedValue | undefined {
  const domain = readTopText(ctx, keyed, "domain");
  if (domain === undefined) return undefined;
  try {
    resolveDomain(domain.value);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    report(ctx, keyed.offset, error.message, { field: "domain" }, error.hint);
    return undefined;
  }
  return domain;
}

// ---------------------------------------------------------------------------------------------
// Defaults and entries

/** What `defaults` gives, and which fields it tried to give but got wrong (not reported again per entry). */
interface Defaults {
  values: Map<EntryFieldName, FieldValue>;
  broken: Set<EntryFieldName>;
}

function readDefaults(ctx: Context, keyed: KeyedValue | undefined): Defaults {
  const defaults: Defaults = { values: new Map(), broken: new Set() };
  if (keyed === undefined) return defaults;
  const node = deref(ctx, keyed.node);
  // An empty `defaults:` (every line commented out) is harmless.
  if (node === null || (isScalar(node) && node.value === null)) return defaults;
  if (!isMap(node)) {
    report(
      ctx,
      keyed.offset,
      `\`defaults\` must be a mapping of entry fields, found ${describe(node)}`,
      { field: "defaults" },
      `for example \`defaults: { account: "12", catalog: ANALYTICS }\``,
    );
    for (const name of DEFAULTABLE_FIELD_NAMES) defaults.broken.add(name);
    return defaults;
  }
  const known: readonly string[] = [...DEFAULTABLE_FIELD_NAMES, "datasource"];
  const fields = readMapping(ctx, node, known, {}, misplacedInEntry, "defaults.");
  for (const [name, value] of fields) {
    if (name === "datasource") {
      report(
        ctx,
        value.keyOffset,
        "`datasource` cannot have a default",
        { field: "defaults.datasource" },
        "each entry names its own datasource",
      );
      continue;
    }
    const field = name as DefaultableFieldName;
    const read = readField(ctx, field, value, { field: `defaults.${field}` }, "defaults");
    if (read === undefined) defaults.broken.add(field);
    else defaults.values.set(field, read);
  }
  return defaults;
}

function readEntries(ctx: Context, keyed: KeyedValue, defaults: Defaults, entries: ManifestEntry[]): void {
  const node = deref(ctx, keyed.node);
  const where = { field: "migrations" };
  if (isScalar(node) && node.value === null) {
    report(
      ctx,
      keyed.offset,
      "`migrations` lists no entries",
      where,
      "list at least one `- datasource: <id>`",
    );
    return;
  }
  if (!isSeq(node)) {
    report(
      ctx,
      keyed.offset,
      `\`migrations\` must be a list of entries, found ${describe(node)}`,
      where,
      "start each entry with `- datasource: <id>`",
    );
    return;
  }
  if (node.items.length === 0) {
    report(
      ctx,
      keyed.offset,
      "`migrations` lists no entries",
      where,
      "list at least one `- datasource: <id>`",
    );
    return;
  }
  // Case-insensitive: two ids differing only in case are almost surely one datasource.
  const byId = new Map<string, { id: string; index: number; offset: number }>();
  (node as YAMLSeq).items.forEach((item, index) => {
    const entry = readEntry(ctx, item, index, offsetOf(item, keyed.offset), defaults, byId);
    if (entry !== undefined) entries.push(entry);
  });
}

/** Reads one entry; its issues carry its label, known once the datasource is read. */
function readEntry(
  ctx: Context,
  item: unknown,
  index: number,
  offset: number,
  defaults: Defaults,
  byId: Map<string, { id: string; index: number; offset: number }>,
): ManifestEntry | undefined {
  const node = deref(ctx, item);
  const ordinal = String(index + 1);
  if (!isMap(node)) {
    const empty = isScalar(node) && node.value === null;
    report(
      ctx,
      offset,
      empty ? "empty entry" : `an entry must be a mapping of fields, found ${describe(node)}`,
      { entry: ordinal },
      empty ? "remove the lone `-`, or give it fields" : "write `- datasource: <id>` followed by its fields",
    );
    return undefined;
  }
  // Collect this entry's issues apart, to label them with the datasource id once it is known.
  const own: Context = { ...ctx, issues: [] };
  const suggested = new Set<string>();
  const fields = readMapping(own, node, ENTRY_FIELD_NAMES, {}, misplacedInEntry, "", suggested);
  const values = new Map<EntryFieldName, FieldValue>();
  const broken = new Set<EntryFieldName>();
  for (const [name, value] of fields) {
    const read = readField(own, name, value, { field: name }, "entry");
    if (read === undefined) broken.add(name);
    else values.set(name, read);
  }

  const datasource = values.get("datasource");
  const label = datasource === undefined ? ordinal : `${ordinal} (${datasource.value})`;
  if (datasource !== undefined) {
    const key = datasource.value.toLowerCase();
    const first = byId.get(key);
    if (first === undefined) {
      byId.set(key, { id: datasource.value, index, offset: datasource.offset });
    } else {
      const firstPos = ctx.lines.linePos(first.offset);
      const thisPos = ctx.lines.linePos(datasource.offset);
      const same =
        first.id === datasource.value
          ? ""
          : ` (as ${first.id}: ids differing only in case are one datasource)`;
      report(
        own,
        datasource.offset,
        `datasource ${datasource.value} is listed twice: entry ${first.index + 1} at ${ctx.file}:${firstPos.line}:${firstPos.col}${same} and entry ${index + 1} at ${ctx.file}:${thisPos.line}:${thisPos.col}`,
        { field: "datasource" },
        "keep one of the two entries",
      );
    }
  }

  for (const name of ENTRY_FIELD_NAMES) {
    const spec: EntryFieldSpec = ENTRY_FIELDS[name];
    if (values.has(name) || broken.has(name) || !spec.required) continue;
    const fallback = defaults.values.get(name);
    if (fallback !== undefined) {
      values.set(name, fallback);
      continue;
    }
    // A broken default was reported once, at `defaults`: not again for every entry. A typo
    // (`tabel`) was reported as such: "missing `table`" would say the same thing twice.
    if (defaults.broken.has(name) || suggested.has(name)) {
      broken.add(name);
      continue;
    }
    const hint = spec.defaultable
      ? `add \`${name}:\` to this entry or to \`defaults\``
      : "every entry names the V1 datasource id it migrates";
    report(own, offsetOf(node, offset), `missing \`${name}\``, { field: name }, hint);
  }
  // Optional fields (name) still take their default.
  for (const name of ENTRY_FIELD_NAMES) {
    if (!values.has(name) && !broken.has(name)) {
      const fallback = defaults.values.get(name);
      if (fallback !== undefined) values.set(name, fallback);
    }
  }

  for (const issue of own.issues) {
    issue.entry = label;
    ctx.issues.push(issue);
  }
  if (own.issues.length > 0 || broken.size > 0) return undefined;

  const { line, col } = ctx.lines.linePos(offsetOf(node, offset));
  const text = (name: EntryFieldName): string => values.get(name)?.value ?? "";
  return {
    datasource: text("datasource"),
    name: values.get("name")?.value,
    account: text("account"),
    catalog: text("catalog"),
    schema: text("schema"),
    table: text("table"),
    file: ctx.file,
    line,
    column: col,
    index,
  };
}

// ---------------------------------------------------------------------------------------------
// Values

/** Reads an entry field (or its default) by its kind in `ENTRY_FIELDS`. */
function readField(
  ctx: Context,
  name: EntryFieldName,
  keyed: KeyedValue,
  where: Where,
  level: "entry" | "defaults",
): FieldValue | undefined {
  const spec: EntryFieldSpec = ENTRY_FIELDS[name];
  const value = readText(ctx, keyed, where);
  if (value === undefined) return undefined;
  if (value === null) {
    if (spec.nullMeans !== undefined) return { value: spec.nullMeans, offset: keyed.offset };
    const hint =
      level === "entry"
        ? `give the ${name}, or remove the key to use the default`
        : `give the ${name}, or remove the key`;
    report(ctx, keyed.offset, "no value", where, hint);
    return undefined;
  }
  const emptyHint =
    spec.nullMeans !== undefined
      ? `for a database without schemas write \`${name}: ${spec.nullMeans}\``
      : undefined;
  if (!checkText(ctx, value, keyed.offset, where, emptyHint)) return undefined;
  if (spec.kind === "id" && !ID_PATTERN.test(value)) {
    report(ctx, keyed.offset, `${JSON.stringify(value)} is not a valid id`, where, ID_HINT);
    return undefined;
  }
  return { value, offset: keyed.offset };
}

/**
 * A scalar's text as written: unquoted scalars keep their source (`0123`, `1e3`, `true` stay
 * text), quoted ones their string value. `null` for a YAML null; `undefined` after reporting a
 * list or mapping where a single value belongs.
 */
function readText(ctx: Context, keyed: KeyedValue, where: Where): string | null | undefined {
  const node = deref(ctx, keyed.node);
  if (node === null) return null;
  if (!isScalar(node)) {
    report(
      ctx,
      keyed.offset,
      `expected a single value, found ${describe(node)}`,
      where,
      "write one value on the line",
    );
    return undefined;
  }
  if (node.value === null) return null;
  if (typeof node.value === "string" && node.type !== "PLAIN") return node.value;
  return node.source ?? String(node.value);
}

/** Empty text and control characters are errors for every text value. */
function checkText(
  ctx: Context,
  value: string,
  offset: number,
  where: Where,
  emptyHint: string | undefined,
): boolean {
  if (value === "") {
    report(ctx, offset, "empty value", where, emptyHint ?? "give a value, or remove the key");
    return false;
  }
  const control = CONTROL_CHARACTER.exec(value);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    const what = control[0] === "\n" || control[0] === "\r" ? "a line break" : "a control character";
    report(
      ctx,
      offset,
      `the value contains ${what} (U+${code})`,
      where,
      "write it on one line, exactly as the database names it",
    );
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Positions and issues

/** The source offset of a node, or `fallback` for one without a range (a missing value). */
function offsetOf(node: unknown, fallback = 0): number {
  const range = (node as { range?: readonly number[] | null } | null)?.range;
  return range?.[0] ?? fallback;
}

function describe(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node))
    return node.value === null ? "nothing" : `the value ${JSON.stringify(node.source ?? node.value)}`;
  return "nothing";
}

function report(ctx: Context, offset: number, message: string, where: Where, hint: string | undefined): void {
  const { line, col } = ctx.lines.linePos(offset);
  ctx.issues.push({
    file: ctx.file,
    line: Math.max(line, 1),
    column: Math.max(col, 1),
    entry: where.entry,
    field: where.field === undefined ? undefined : printable(where.field),
    message: printable(message),
    hint,
  });
}

/** Issues are printed on terminals: a key or value with control characters must not drive them. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
