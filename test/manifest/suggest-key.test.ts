import { describe, expect, it } from "vitest";
import { suggestKey } from "../../src/manifest/suggest-key.js";

const ENTRY_KEYS = ["datasource", "name", "account", "catalog", "schema", "table"];

describe("suggestKey", () => {
  it.each([
    ["tabel", "table"],
    ["tables", "table"],
    ["Table", "table"],
    ["TABLE", "table"],
    ["tble", "table"],
    ["catalgo", "catalog"],
    ["acount", "account"],
    ["accounts", "account"],
    ["datasorce", "datasource"],
    ["data_source", "datasource"],
    ["shcema", "schema"],
    ["schemas", "schema"],
    ["nmae", "name"],
    ["names", "name"],
  ])("%s → %s", (typo, expected) => {
    expect(suggestKey(typo, ENTRY_KEYS)).toBe(expected);
  });

  it.each(["warehouse", "id", "db", "x", "", "datasource_id_v1", "tablespace"])(
    "%j → no suggestion",
    (key) => {
      expect(suggestKey(key, ENTRY_KEYS)).toBeUndefined();
    },
  );

  it("prefers the closer key, then the earlier one", () => {
    expect(suggestKey("ab", ["abc", "abd"])).toBe("abc");
    expect(suggestKey("abcx", ["abcd", "abxx"])).toBe("abcd");
    expect(suggestKey("abxy", ["abcd", "abxx"])).toBe("abxx");
  });
});
