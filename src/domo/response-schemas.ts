import * as v from "valibot";
import { describeValue } from "../describe-value.js";

// The documented shapes of Domo's success bodies (SPEC section 1), as schemas: `domo/types.ts`
// infers its types from them and `parse-response-body.ts` checks bodies with them. Every issue's
// message is the words after the field's name ("is missing", "is the number 5, not a time"), so
// that `parse-response-body.ts` can say where, in the words it always used.

/** The words for a value that is not what a field holds, with what it should be when that helps. */
export function isNot(expected = ""): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => `is ${describeValue(issue.input)}${expected}`;
}

/** Final state of a migration or reversal, as Domo reports it. */
export const MigrationStateSchema = v.picklist(["COMPLETE", "INCOMPLETE", "ABORTED"]);

/** Which way a migration goes. */
export const DirectionSchema = v.picklist(["V1_TO_V2", "V2_TO_V1"]);

/**
 * An identifier: a string, or a number that Domo may send instead (`"id": 2`), kept as its
 * decimal text. A number beyond 2^53 has already lost digits in JSON.parse, so it is refused:
 * the wrong account id would be worse than an error.
 */
const IdSchema = v.pipe(
  v.union([v.string(), v.number()]),
  v.rawTransform(({ dataset, addIssue, NEVER }): string => {
    const value = dataset.value;
    if (typeof value === "string") return value;
    if (Number.isSafeInteger(value)) return String(value);
    addIssue({
      message: `is the number ${value}${Number.isInteger(value) ? ", too large to keep exactly" : ""}`,
    });
    return NEVER;
  }),
);

/** A time: an ISO string as documented, null or absent, or epoch milliseconds (common at Domo). */
const TimeSchema = v.pipe(
  v.nullish(v.union([v.string(), v.number()], isNot(", not a time")), null),
  v.rawTransform(({ dataset, addIssue, NEVER }): string | null => {
    const value = dataset.value;
    if (value === null || typeof value === "string") return value;
    const date = new Date(value);
    if (Number.isFinite(value) && !Number.isNaN(date.getTime())) return date.toISOString();
    addIssue({ message: `is ${describeValue(value)}, not a time` });
    return NEVER;
  }),
);

/** An object with these fields, extra ones dropped; a list is not one (`v.object` alone would take it). */
function record<E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>((input) => !Array.isArray(input), isNot()),
    v.object(entries),
  );
}

/** `GET /types`: the integration types. */
export const TypesSchema = v.array(v.string());

/** A Federated V2 account (`GET /accounts/{type}`). */
export const AccountSchema = record({ id: IdSchema, type: v.string(), name: v.string() });

/** A Federated V1 datasource that can migrate to an account (`GET /candidates/{account}`). */
export const CandidateSchema = record({
  id: IdSchema,
  name: v.string(),
  migrated: v.boolean(isNot(", not true or false")),
  migrationDate: TimeSchema,
});

/** What Domo support asks for: a non-empty identifier. */
export const ToeSchema = v.pipe(IdSchema, v.nonEmpty("is empty"));

/**
 * The body of a migrate or reverse response (a failed migration still answers HTTP 200). The
 * fields are checked in this order, `toe` first: a failure is reported with its toe when it has one.
 */
export const MigrationRecordSchema = record({
  toe: ToeSchema,
  datasourceId: IdSchema,
  direction: v.picklist(DirectionSchema.options, isNot(`, not ${DirectionSchema.options.join(" or ")}`)),
  state: v.picklist(
    MigrationStateSchema.options,
    isNot(`, not one of ${MigrationStateSchema.options.join(", ")}`),
  ),
  startTime: TimeSchema,
  endTime: TimeSchema,
  errorMessage: v.nullish(v.string(), null),
});
