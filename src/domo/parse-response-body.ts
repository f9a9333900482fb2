import type { Account, Candidate, Direction, MigrationRecord, MigrationState } from "./types.js";

/**
 * The outcome of checking a success body against its documented shape (SPEC section 1).
 * Anything else (HTML on 200, a bare object, a missing field) is a failed check, never a success.
 */
export type BodyCheck<T> = { ok: true; value: T } | { ok: false; problem: string; toe?: string };

const STATES: readonly MigrationState[] = ["COMPLETE", "INCOMPLETE", "ABORTED"];

/** `GET /types`: an array of strings. */
export function parseTypesBody(value: unknown): BodyCheck<string[]> {
  const what = "a list of integration types";
  if (!Array.isArray(value)) return notShape(what, `it is ${describe(value)}`);
  for (const [index, item] of value.entries()) {
    if (typeof item !== "string") return notShape(what, `item ${index + 1} is ${describe(item)}`);
  }
  return { ok: true, value: value as string[] };
}

/** `GET /accounts/{type}`: an array of `{id, type, name}`. */
export function parseAccountsBody(value: unknown): BodyCheck<Account[]> {
  return parseList(value, "a list of accounts", (item) => {
    const id = idField(item, "id");
    if (typeof id !== "string") return id;
    const type = stringField(item, "type");
    if (typeof type !== "string") return type;
    const name = stringField(item, "name");
    if (typeof name !== "string") return name;
    return { value: { id, type, name } };
  });
}

/** `GET /candidates/{account}`: an array of `{id, name, migrated, migrationDate}`. */
export function parseCandidatesBody(value: unknown): BodyCheck<Candidate[]> {
  return parseList(value, "a list of candidates", (item) => {
    const id = idField(item, "id");
    if (typeof id !== "string") return id;
    const name = stringField(item, "name");
    if (typeof name !== "string") return name;
    if (typeof item.migrated !== "boolean") {
      return { problem: `"migrated" is ${describe(item.migrated)}, not true or false` };
    }
    const migrationDate = timeField(item, "migrationDate");
    if (typeof migrationDate === "object" && migrationDate !== null) return migrationDate;
    return { value: { id, name, migrated: item.migrated, migrationDate } };
  });
}

/**
 * `POST /{id}/accounts/{account}` and `POST /{id}/reverse`: a migration record whose
 * `direction` and `datasourceId` are the ones asked for. A record about another datasource
 * or the other direction would be written to the journal as this call's result, so it is
 * refused rather than trusted.
 */
export function parseMigrationRecordBody(
  value: unknown,
  expected: { direction: Direction; datasourceId: string },
): BodyCheck<MigrationRecord> {
  const what = "a migration record";
  if (!isObject(value)) return notShape(what, `it is ${describe(value)}`);
  const toeValue = idField(value, "toe");
  const toe = typeof toeValue === "string" && toeValue !== "" ? toeValue : undefined;
  const fail = (problem: string): BodyCheck<MigrationRecord> => ({
    ok: false,
    problem: `the body is not ${what} (${problem})`,
    ...(toe === undefined ? {} : { toe }),
  });
  if (toe === undefined) {
    return fail(typeof toeValue === "string" ? `"toe" is empty` : toeValue.problem);
  }
  const datasourceId = idField(value, "datasourceId");
  if (typeof datasourceId !== "string") return fail(datasourceId.problem);
  if (datasourceId.toLowerCase() !== expected.datasourceId.toLowerCase()) {
    return fail(`it is about datasource ${datasourceId}, not ${expected.datasourceId}`);
  }
  if (value.direction !== expected.direction) {
    return fail(`"direction" is ${describe(value.direction)}, expected "${expected.direction}"`);
  }
  const state = value.state;
  if (typeof state !== "string" || !(STATES as readonly string[]).includes(state)) {
    return fail(`"state" is ${describe(state)}, not one of ${STATES.join(", ")}`);
  }
  const startTime = timeField(value, "startTime");
  if (typeof startTime === "object" && startTime !== null) return fail(startTime.problem);
  const endTime = timeField(value, "endTime");
  if (typeof endTime === "object" && endTime !== null) return fail(endTime.problem);
  const errorMessage = value.errorMessage ?? null;
  if (errorMessage !== null && typeof errorMessage !== "string") {
    return fail(`"errorMessage" is ${describe(errorMessage)}`);
  }
  return {
    ok: true,
    value: {
      toe,
      datasourceId,
      direction: expected.direction,
      startTime,
      state: state as MigrationState,
      errorMessage,
      endTime,
    },
  };
}

type ItemResult<T> = { value: T } | { problem: string };
type FieldProblem = { problem: string };

function parseList<T>(
  value: unknown,
  what: string,
  parseItem: (item: Record<string, unknown>) => ItemResult<T>,
): BodyCheck<T[]> {
  if (!Array.isArray(value)) return notShape(what, `it is ${describe(value)}`);
  const items: T[] = [];
  for (const [index, item] of value.entries()) {
    if (!isObject(item)) return notShape(what, `item ${index + 1} is ${describe(item)}`);
    const result = parseItem(item);
    if ("problem" in result) return notShape(what, `item ${index + 1}: ${result.problem}`);
    items.push(result.value);
  }
  return { ok: true, value: items };
}

/**
 * An identifier: a string, or a number that Domo may send instead (`"id": 2`), kept as its
 * decimal text. A number beyond 2^53 has already lost digits in JSON.parse, so it is refused:
 * the wrong account id would be worse than an error.
 */
function idField(item: Record<string, unknown>, key: string): string | FieldProblem {
  const value = item[key];
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "number" && Number.isInteger(value)) {
    return { problem: `"${key}" is the number ${value}, too large to keep exactly` };
  }
  return { problem: `"${key}" is ${describe(value)}` };
}

function stringField(item: Record<string, unknown>, key: string): string | FieldProblem {
  const value = item[key];
  return typeof value === "string" ? value : { problem: `"${key}" is ${describe(value)}` };
}

/** A time: an ISO string as documented, null or absent, or epoch milliseconds (common at Domo). */
function timeField(item: Record<string, unknown>, key: string): string | null | FieldProblem {
  const value = item[key];
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  return { problem: `"${key}" is ${describe(value)}, not a time` };
}

function notShape<T>(what: string, problem: string): BodyCheck<T> {
  return { ok: false, problem: `the body is not ${what} (${problem})` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}
