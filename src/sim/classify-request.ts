import type { Target } from "../domo/types.js";
import type { SimRoute } from "./types.js";

/** SPEC section 1: every call lives under this path. */
const API_PREFIX = "/api/query/migration/federated/v1/to/v2";

/** What a request is about, from its method and path. */
export interface ClassifiedRequest {
  route: SimRoute;
  /** The URL-decoded parameter of a GET: the type of `accounts`. */
  param: string | null;
  datasourceId: string | null;
  accountId: string | null;
}

/** Which call a request is; path segments are URL-decoded, an undecodable or empty one is no call. */
export function classifyRequest(method: string, path: string): ClassifiedRequest {
  const none = { route: "other" as const, param: null, datasourceId: null, accountId: null };
  if (!path.startsWith(`${API_PREFIX}/`)) return none;
  let segments: string[];
  try {
    segments = path
      .slice(API_PREFIX.length + 1)
      .split("/")
      .map(decodeURIComponent);
  } catch {
    return none;
  }
  if (segments.some((segment) => segment === "")) return none;
  const [first, second, third] = segments;
  if (method === "GET") {
    if (segments.length === 1 && first === "types") return { ...none, route: "types" };
    if (segments.length === 2 && first === "accounts")
      return { ...none, route: "accounts", param: second ?? null };
    if (segments.length === 2 && first === "candidates")
      return { ...none, route: "candidates", accountId: second ?? null };
  }
  if (method === "POST") {
    if (segments.length === 3 && second === "accounts") {
      return { ...none, route: "migrate", datasourceId: first ?? null, accountId: third ?? null };
    }
    if (segments.length === 2 && second === "reverse")
      return { ...none, route: "reverse", datasourceId: first ?? null };
  }
  return none;
}

/** The migrate body, or why it is refused (a 400). */
export function parseTarget(body: string): Target | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'The request body must be JSON: {"catalog": "…", "schema": "…", "table": "…"}.';
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return 'The request body must be a JSON object: {"catalog": "…", "schema": "…", "table": "…"}.';
  }
  const record = value as Record<string, unknown>;
  const missing = (["catalog", "schema", "table"] as const).filter(
    (field) => typeof record[field] !== "string" || record[field] === "",
  );
  if (missing.length > 0) return `The request body lacks a non-empty string ${missing.join(", ")}.`;
  return {
    catalog: record.catalog as string,
    schema: record.schema as string,
    table: record.table as string,
  };
}
