import { isMap, isScalar, isSeq, type YAMLSeq } from "yaml";
import { type FieldValue, readField } from "./read-field.js";
import { type KeyedValue, misplacedInEntry, readMapping } from "./read-mapping.js";
import { describeNode, offsetOf, type ParseContext, reportIssue } from "./report-issue.js";
import { deref } from "./resolve-aliases.js";
import {
  DEFAULTABLE_FIELD_NAMES,
  type DefaultableFieldName,
  ENTRY_FIELD_NAMES,
  ENTRY_FIELDS,
  type EntryFieldName,
  type EntryFieldSpec,
} from "./schema.js";
import type { ManifestEntry } from "./types.js";

/** What `defaults` gives, and which fields it tried to give but got wrong (not reported again per entry). */
export interface Defaults {
  values: Map<EntryFieldName, FieldValue>;
  broken: Set<EntryFieldName>;
}

export function readDefaults(ctx: ParseContext, keyed: KeyedValue | undefined): Defaults {
  const defaults: Defaults = { values: new Map(), broken: new Set() };
  if (keyed === undefined) return defaults;
  const node = deref(ctx, keyed.node);
  // An empty `defaults:` (every line commented out) is harmless.
  if (node === null || (isScalar(node) && node.value === null)) return defaults;
  if (!isMap(node)) {
    reportIssue(
      ctx,
      keyed.offset,
      `\`defaults\` must be a mapping of entry fields, found ${describeNode(node)}`,
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
      reportIssue(
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

export function readEntries(
  ctx: ParseContext,
  keyed: KeyedValue,
  defaults: Defaults,
  entries: ManifestEntry[],
): void {
  const node = deref(ctx, keyed.node);
  const where = { field: "migrations" };
  if ((isScalar(node) && node.value === null) || (isSeq(node) && node.items.length === 0)) {
    reportIssue(
      ctx,
      keyed.offset,
      "`migrations` lists no entries",
      where,
      "list at least one `- datasource: <id>`",
    );
    return;
  }
  if (!isSeq(node)) {
    reportIssue(
      ctx,
      keyed.offset,
      `\`migrations\` must be a list of entries, found ${describeNode(node)}`,
      where,
      "start each entry with `- datasource: <id>`",
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
  ctx: ParseContext,
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
    reportIssue(
      ctx,
      offset,
      empty ? "empty entry" : `an entry must be a mapping of fields, found ${describeNode(node)}`,
      { entry: ordinal },
      empty ? "remove the lone `-`, or give it fields" : "write `- datasource: <id>` followed by its fields",
    );
    return undefined;
  }
  // Collect this entry's issues apart, to label them with the datasource id once it is known.
  const own: ParseContext = { ...ctx, issues: [] };
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
      reportIssue(
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
    reportIssue(own, offsetOf(node, offset), `missing \`${name}\``, { field: name }, hint);
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
