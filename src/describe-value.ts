/**
 * A parsed JSON value as messages name it: `missing`, `null`, `a list`, `an object`,
 * `the text "…"` (cut at 40 characters), `the number 5`, `the boolean true`.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}
