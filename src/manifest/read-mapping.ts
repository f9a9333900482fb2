import { isScalar, type YAMLMap } from "yaml";
import { offsetOf, type ParseContext, reportIssue, type Where } from "./report-issue.js";
import { deref } from "./resolve-aliases.js";
import { ENTRY_FIELD_NAMES, TOP_FIELD_NAMES } from "./schema.js";
import { suggestKey } from "./suggest-key.js";

/** Any key that mentions a token is refused, wherever it is: the token never belongs in a file. */
const TOKEN_KEY = /token/i;
const TOKEN_HINT =
  "remove it: set DOMO_DEVELOPER_TOKEN or pass --token-file PATH instead, and revoke that token if this file was ever shared or committed";

/** A known key of a mapping: its value node (maybe an alias) and where the value was written. */
export interface KeyedValue {
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
export function readMapping<K extends string>(
  ctx: ParseContext,
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
      reportIssue(
        ctx,
        keyOffset,
        "a key must be a plain name",
        where,
        `known keys here: ${known.join(", ")}`,
      );
      continue;
    }
    const key = typeof keyNode.value === "string" ? keyNode.value : (keyNode.source ?? String(keyNode.value));
    const field = `${prefix}${key}`;
    const firstOffset = seen.get(key);
    if (firstOffset !== undefined) {
      const first = ctx.lines.linePos(firstOffset);
      reportIssue(
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
      reportIssue(
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
      reportIssue(ctx, keyOffset, `unknown key \`${key}\``, { ...where, field }, hint);
      continue;
    }
    found.set(key as K, { node: pair.value, offset: valueOffset, keyOffset });
  }
  return found;
}

export function misplacedInTop(key: string): string | undefined {
  if ((ENTRY_FIELD_NAMES as readonly string[]).includes(key)) {
    return `\`${key}\` belongs in an entry under \`migrations\`, or in \`defaults\``;
  }
  return undefined;
}

export function misplacedInEntry(key: string): string | undefined {
  if ((TOP_FIELD_NAMES as readonly string[]).includes(key)) return `\`${key}\` belongs at the top level`;
  return undefined;
}
