import { type Alias, isAlias, isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import { offsetOf, type ParseContext, reportIssue } from "./report-issue.js";

/**
 * An alias bomb expands a few lines into billions of nodes. A real manifest's aliases repeat
 * scalars, so its expanded size stays close to its own; past this factor it is refused.
 */
const MAX_ALIAS_EXPANSION = 10;
const ALIAS_EXPANSION_ALLOWANCE = 10_000;

/**
 * Maps every alias to its anchored node in one pass (the latest anchor of that name before it,
 * as YAML says), and refuses an alias bomb or a self-containing alias before anything expands.
 * `Alias.resolve` is not used: it walks the whole document per call, quadratic over a big file.
 */
export function resolveAliases(ctx: ParseContext, contents: unknown): boolean {
  const anchors = new Map<string, Node>();
  let nodes = 0;
  let ok = true;
  const visit = (node: unknown): void => {
    if (isAlias(node)) {
      nodes++;
      const target = anchors.get(node.source);
      if (target === undefined) {
        reportIssue(
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
    reportIssue(
      ctx,
      offsetOf(cycle),
      `the alias *${cycle.source} is inside the node it refers to`,
      {},
      undefined,
    );
    return false;
  }
  if (expanded > nodes * MAX_ALIAS_EXPANSION + ALIAS_EXPANSION_ALLOWANCE) {
    reportIssue(
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
export function deref(ctx: ParseContext, node: unknown): unknown {
  return isAlias(node) ? (ctx.aliases.get(node) ?? null) : node;
}
