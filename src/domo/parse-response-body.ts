import * as v from "valibot";
import { describeValue } from "../describe-value.js";
import {
  AccountSchema,
  CandidateSchema,
  isNot,
  MigrationRecordSchema,
  ToeSchema,
  TypesSchema,
} from "./response-schemas.js";
import type { Account, Candidate, Direction, MigrationRecord } from "./types.js";

/**
 * The outcome of checking a success body against its documented shape (SPEC section 1).
 * Anything else (HTML on 200, a bare object, a missing field) is a failed check, never a success.
 */
export type BodyCheck<T> = { ok: true; value: T } | { ok: false; problem: string; toe?: string };

const AccountsSchema = v.array(AccountSchema);
const CandidatesSchema = v.array(CandidateSchema);

/** `GET /types`: an array of strings. */
export function parseTypesBody(value: unknown): BodyCheck<string[]> {
  return check(TypesSchema, value, "a list of integration types");
}

/** `GET /accounts/{type}`: an array of `{id, type, name}`; extra fields are dropped. */
export function parseAccountsBody(value: unknown): BodyCheck<Account[]> {
  return check(AccountsSchema, value, "a list of accounts");
}

/** `GET /candidates/{account}`: an array of `{id, name, migrated, migrationDate}`. */
export function parseCandidatesBody(value: unknown): BodyCheck<Candidate[]> {
  return check(CandidatesSchema, value, "a list of candidates");
}

/**
 * `POST /{id}/accounts/{account}` and `POST /{id}/reverse`: a migration record whose
 * `direction` and `datasourceId` are the ones asked for. A record about another datasource
 * or the other direction would be written to the journal as this call's result, so it is
 * refused rather than trusted. A refused record keeps its `toe` when it has one.
 */
export function parseMigrationRecordBody(
  value: unknown,
  expected: { direction: Direction; datasourceId: string },
): BodyCheck<MigrationRecord> {
  const what = "a migration record";
  const checked = check(MigrationRecordSchema, value, what);
  const toeCheck = isObject(value) ? v.safeParse(ToeSchema, value.toe) : undefined;
  const toe = toeCheck?.success ? toeCheck.output : undefined;
  const fail = (problem: string): BodyCheck<MigrationRecord> => ({
    ok: false,
    problem,
    ...(toe === undefined ? {} : { toe }),
  });
  if (!checked.ok) return fail(checked.problem);
  const record = checked.value;
  if (record.datasourceId.toLowerCase() !== expected.datasourceId.toLowerCase()) {
    return fail(
      `the body is not ${what} (it is about datasource ${record.datasourceId}, not ${expected.datasourceId})`,
    );
  }
  if (record.direction !== expected.direction) {
    return fail(
      `the body is not ${what} ("direction" is ${describeValue(record.direction)}, expected "${expected.direction}")`,
    );
  }
  return { ok: true, value: record };
}

/** Checks `value` against `schema`; the first problem is said with where it is (`item 2: "id" is missing`). */
function check<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  what: string,
): BodyCheck<v.InferOutput<S>> {
  const result = v.safeParse(schema, value, { abortEarly: true, message: isNot() });
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const where = (issue.path ?? [])
    .map((item) => (typeof item.key === "number" ? `item ${item.key + 1}` : `"${String(item.key)}"`))
    .join(": ");
  return { ok: false, problem: `the body is not ${what} (${where || "it"} ${issue.message})` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
