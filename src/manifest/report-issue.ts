import { type Alias, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { ManifestIssue } from "./types.js";

/** Which entry and field an issue is about, when it is about one. */
export type Where = { entry?: string | undefined; field?: string | undefined };

/** The state of one file's parse. */
export interface ParseContext {
  file: string;
  lines: LineCounter;
  issues: ManifestIssue[];
  /** Each alias node's anchored node; absent when it has none (already reported). */
  aliases: Map<Alias, Node>;
}

/** The source offset of a node, or `fallback` for one without a range (a missing value). */
export function offsetOf(node: unknown, fallback = 0): number {
  const range = (node as { range?: readonly number[] | null } | null)?.range;
  return range?.[0] ?? fallback;
}

/** A node as the issues name it ("a list", "the value \"x\""). */
export function describeNode(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node))
    return node.value === null ? "nothing" : `the value ${JSON.stringify(node.source ?? node.value)}`;
  return "nothing";
}

/** Records an issue at a source offset, as a line and column of the file. */
export function reportIssue(
  ctx: ParseContext,
  offset: number,
  message: string,
  where: Where,
  hint: string | undefined,
): void {
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
