import { describe, expect, it } from "vitest";
import {
  parseAccountsBody,
  parseCandidatesBody,
  parseMigrationRecordBody,
  parseTypesBody,
} from "../../src/domo/parse-response-body.js";
import type { Direction } from "../../src/domo/types.js";

describe("parseTypesBody", () => {
  it("accepts an array of strings", () => {
    expect(parseTypesBody(["mysql-federated", "snowflake-federated"])).toEqual({
      ok: true,
      value: ["mysql-federated", "snowflake-federated"],
    });
    expect(parseTypesBody([])).toEqual({ ok: true, value: [] });
  });

  it.each<[unknown, RegExp]>([
    [{ types: [] }, /not a list of integration types \(it is an object\)/],
    ["mysql-federated", /it is the text "mysql-federated"/],
    [null, /it is null/],
    [["a", 2], /item 2 is the number 2/],
    [["a", null], /item 2 is null/],
  ])("refuses %o", (body, problem) => {
    const result = parseTypesBody(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });
});

describe("parseAccountsBody", () => {
  it("accepts the documented shape, ignores extra fields and stringifies numeric ids", () => {
    expect(
      parseAccountsBody([
        { id: "2", type: "mysql-federated", name: "mysql v2 agent" },
        { id: 1, type: "mysql-federated", name: "mysql v2", extra: true },
      ]),
    ).toEqual({
      ok: true,
      value: [
        { id: "2", type: "mysql-federated", name: "mysql v2 agent" },
        { id: "1", type: "mysql-federated", name: "mysql v2" },
      ],
    });
  });

  it.each<[unknown, RegExp]>([
    [[{ type: "t", name: "n" }], /item 1: "id" is missing/],
    [[{ id: "1", name: "n" }], /item 1: "type" is missing/],
    [[{ id: "1", type: "t", name: 5 }], /item 1: "name" is the number 5/],
    [JSON.parse('[{ "id": 12345678901234567890, "type": "t", "name": "n" }]'), /too large to keep exactly/],
    [[{ id: 1.5, type: "t", name: "n" }], /item 1: "id" is the number 1\.5\)$/],
    [[{ id: true, type: "t", name: "n" }], /"id" is the boolean true/],
    [["2"], /item 1 is the text "2"/],
    [[[{ id: "1", type: "t", name: "n" }]], /item 1 is a list\)$/],
    [{}, /not a list of accounts/],
  ])("refuses %o", (body, problem) => {
    const result = parseAccountsBody(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });
});

describe("parseCandidatesBody", () => {
  it("accepts the documented shape", () => {
    const body = [
      { id: "495e28ec", name: "MySQL Table 1", migrated: false, migrationDate: null },
      {
        id: "F495e28ec",
        name: "MySQL Table 2",
        migrated: true,
        migrationDate: "2024-04-15T19:48:02.410+00:00",
      },
    ];
    expect(parseCandidatesBody(body)).toEqual({ ok: true, value: body });
  });

  it("reads a missing migrationDate as null and epoch milliseconds as an ISO time", () => {
    expect(
      parseCandidatesBody([
        { id: "a", name: "A", migrated: false },
        { id: "b", name: "B", migrated: true, migrationDate: 1713210482410 },
      ]),
    ).toEqual({
      ok: true,
      value: [
        { id: "a", name: "A", migrated: false, migrationDate: null },
        { id: "b", name: "B", migrated: true, migrationDate: "2024-04-15T19:48:02.410Z" },
      ],
    });
  });

  it.each<[unknown, RegExp]>([
    [
      [{ id: "a", name: "A", migrated: "false", migrationDate: null }],
      /"migrated" is the text "false", not true or false/,
    ],
    [[{ id: "a", name: "A", migrationDate: null }], /"migrated" is missing/],
    [
      [{ id: "a", name: "A", migrated: false, migrationDate: {} }],
      /"migrationDate" is an object, not a time/,
    ],
    [[{ name: "A", migrated: false }], /"id" is missing/],
    [["<html>"], /item 1 is the text/],
  ])("refuses %o", (body, problem) => {
    const result = parseCandidatesBody(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });
});

describe("parseMigrationRecordBody", () => {
  const record = (overrides: Record<string, unknown> = {}) => ({
    toe: "DM4X9GT6H5-5ERQX-MPDO6",
    datasourceId: "495e28ec-6c07-41fc-99ed-b2dce9a5f569",
    direction: "V1_TO_V2",
    startTime: "2024-04-15T19:48:00.073+00:00",
    state: "COMPLETE",
    errorMessage: null,
    endTime: "2024-04-15T19:48:02.410+00:00",
    ...overrides,
  });
  const expected = {
    direction: "V1_TO_V2" as Direction,
    datasourceId: "495e28ec-6c07-41fc-99ed-b2dce9a5f569",
  };

  it.each(["COMPLETE", "INCOMPLETE", "ABORTED"])("accepts state %s", (state) => {
    const body = record({ state, errorMessage: state === "COMPLETE" ? null : "it broke" });
    expect(parseMigrationRecordBody(body, expected)).toEqual({ ok: true, value: body });
  });

  it("accepts a reverse record for direction V2_TO_V1", () => {
    const body = record({ direction: "V2_TO_V1" });
    expect(parseMigrationRecordBody(body, { ...expected, direction: "V2_TO_V1" })).toEqual({
      ok: true,
      value: body,
    });
  });

  it("is lenient where Domo may differ: a numeric id, absent optional fields, epoch times", () => {
    const result = parseMigrationRecordBody(
      { toe: "T1", datasourceId: 42, direction: "V1_TO_V2", state: "ABORTED", startTime: 0 },
      { direction: "V1_TO_V2", datasourceId: "42" },
    );
    expect(result).toEqual({
      ok: true,
      value: {
        toe: "T1",
        datasourceId: "42",
        direction: "V1_TO_V2",
        startTime: "1970-01-01T00:00:00.000Z",
        state: "ABORTED",
        errorMessage: null,
        endTime: null,
      },
    });
  });

  it.each<[string, unknown, RegExp, string | undefined]>([
    [
      "an unknown state",
      record({ state: "DONE" }),
      /"state" is the text "DONE", not one of COMPLETE, INCOMPLETE, ABORTED/,
      "DM4X9GT6H5-5ERQX-MPDO6",
    ],
    ["a missing state", record({ state: undefined }), /"state" is missing/, "DM4X9GT6H5-5ERQX-MPDO6"],
    [
      "the other direction",
      record({ direction: "V2_TO_V1" }),
      /"direction" is the text "V2_TO_V1", expected "V1_TO_V2"/,
      "DM4X9GT6H5-5ERQX-MPDO6",
    ],
    [
      "a direction that is neither",
      record({ direction: "SIDEWAYS" }),
      /"direction" is the text "SIDEWAYS", not V1_TO_V2 or V2_TO_V1/,
      "DM4X9GT6H5-5ERQX-MPDO6",
    ],
    [
      "another datasource",
      record({ datasourceId: "someone-else" }),
      /about datasource someone-else, not 495e/,
      "DM4X9GT6H5-5ERQX-MPDO6",
    ],
    ["no toe", record({ toe: undefined }), /"toe" is missing/, undefined],
    ["an empty toe", record({ toe: "" }), /"toe" is empty/, undefined],
    [
      "a numeric errorMessage",
      record({ errorMessage: 5 }),
      /"errorMessage" is the number 5/,
      "DM4X9GT6H5-5ERQX-MPDO6",
    ],
    [
      "a bad endTime",
      record({ endTime: true }),
      /"endTime" is the boolean true, not a time/,
      "DM4X9GT6H5-5ERQX-MPDO6",
    ],
    ["a list", [record()], /not a migration record \(it is a list\)/, undefined],
    ["an empty object", {}, /"toe" is missing/, undefined],
  ])("refuses %s, keeping the toe when there is one", (_label, body, problem, toe) => {
    const result = parseMigrationRecordBody(body, expected);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toMatch(problem);
      expect(result.toe).toBe(toe);
    }
  });

  it("compares the datasource id without regard to case", () => {
    const body = record({ datasourceId: "495E28EC-6C07-41FC-99ED-B2DCE9A5F569" });
    expect(parseMigrationRecordBody(body, expected).ok).toBe(true);
  });
});
