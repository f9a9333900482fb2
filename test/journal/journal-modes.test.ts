import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeOutputFile } from "../../src/cli/runtime.js";
import { aRun, cleanUp, open, record, tempDir } from "./journal-fixtures.js";

let umask: number;
beforeEach(() => {
  // The usual default: files 0644 unless the code asks otherwise.
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  cleanUp();
});

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe("file modes", () => {
  it("creates the journal, its -wal and its -shm readable by their owner only, under umask 022", () => {
    const path = join(tempDir(), "fedmigrate.db");
    const journal = open(path);
    journal.startRun(aRun({ id: "run-m" }));
    record(journal, "run-m", "ds-1", "V1_TO_V2", "COMPLETE");
    expect(mode(path)).toBe("600");
    expect(mode(`${path}-wal`)).toBe("600");
    expect(mode(`${path}-shm`)).toBe("600");
  });

  it("leaves the mode of an existing journal as it is", () => {
    const path = join(tempDir(), "fedmigrate.db");
    open(path).close();
    chmodSync(path, 0o640);
    open(path).close();
    expect(mode(path)).toBe("640");
  });

  it("writes report files by the umask, as any other output", () => {
    const dir = tempDir();
    writeOutputFile("report.json", "{}", { cwd: dir } as Parameters<typeof writeOutputFile>[2], "report");
    expect(mode(join(dir, "report.json"))).toBe("644");
  });
});
