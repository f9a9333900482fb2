import { isScalar } from "yaml";
import type { KeyedValue } from "./read-mapping.js";
import { describeNode, type ParseContext, reportIssue, type Where } from "./report-issue.js";
import { deref } from "./resolve-aliases.js";
import {
  CONTROL_CHARACTER,
  ENTRY_FIELDS,
  type EntryFieldName,
  type EntryFieldSpec,
  ID_PATTERN,
} from "./schema.js";

const ID_HINT = "an id is letters, digits, `.`, `_`, `:` and `-`, starting with a letter or digit";

/** A value read from an entry or from `defaults`, with where it was written. */
export interface FieldValue {
  value: string;
  offset: number;
}

/** Reads an entry field (or its default) by its kind in `ENTRY_FIELDS`. */
export function readField(
  ctx: ParseContext,
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
    reportIssue(ctx, keyed.offset, "no value", where, hint);
    return undefined;
  }
  const emptyHint =
    spec.nullMeans !== undefined
      ? `for a database without schemas write \`${name}: ${spec.nullMeans}\``
      : undefined;
  if (!checkText(ctx, value, keyed.offset, where, emptyHint)) return undefined;
  if (spec.kind === "id" && !ID_PATTERN.test(value)) {
    reportIssue(ctx, keyed.offset, `${JSON.stringify(value)} is not a valid id`, where, ID_HINT);
    return undefined;
  }
  return { value, offset: keyed.offset };
}

/**
 * A scalar's text as written: unquoted scalars keep their source (`0123`, `1e3`, `true` stay
 * text), quoted ones their string value. `null` for a YAML null; `undefined` after reporting a
 * list or mapping where a single value belongs.
 */
export function readText(ctx: ParseContext, keyed: KeyedValue, where: Where): string | null | undefined {
  const node = deref(ctx, keyed.node);
  if (node === null) return null;
  if (!isScalar(node)) {
    reportIssue(
      ctx,
      keyed.offset,
      `expected a single value, found ${describeNode(node)}`,
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
export function checkText(
  ctx: ParseContext,
  value: string,
  offset: number,
  where: Where,
  emptyHint: string | undefined,
): boolean {
  if (value === "") {
    reportIssue(ctx, offset, "empty value", where, emptyHint ?? "give a value, or remove the key");
    return false;
  }
  const control = CONTROL_CHARACTER.exec(value);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    const what = control[0] === "\n" || control[0] === "\r" ? "a line break" : "a control character";
    reportIssue(
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
