import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { beginBuildStamp, checkBuildStamp, writeBuildStamp } from "../../scripts/build-stamp.mjs";

/**
 * The stamp the e2e and slow projects check before spawning dist/cli.js (fresh-build.ts): a
 * complete build of the inputs as they are is fresh; any change to them, a build that did not
 * finish, or an edit while it ran is not.
 */
let root: string;

function put(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

function build(): boolean {
  beginBuildStamp(root);
  put("dist/cli.js", "built");
  return writeBuildStamp(root);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "fedmigrate-build-stamp-"));
  put("package.json", "{}");
  put("tsconfig.json", "{}");
  put("src/cli.ts", "console.log(1);");
  put("src/report/page.css", "body {}");
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("checkBuildStamp", () => {
  it("is stale with no dist/cli.js, then fresh after a complete build", () => {
    expect(checkBuildStamp(root)).toEqual({ fresh: false, reason: "dist/cli.js does not exist" });
    expect(build()).toBe(true);
    expect(checkBuildStamp(root)).toEqual({ fresh: true });
  });

  it.each([
    ["a source edited", () => put("src/cli.ts", "console.log(2);")],
    ["a source added", () => put("src/run/new.ts", "export {};")],
    ["a source removed", () => rmSync(path.join(root, "src/report/page.css"))],
    ["a non-TypeScript input edited", () => put("src/report/page.css", "body { margin: 0 }")],
    ["the build's configuration edited", () => put("tsconfig.json", '{"compilerOptions":{}}')],
  ])("is stale after %s", (_what, change) => {
    build();
    change();
    expect(checkBuildStamp(root)).toEqual({
      fresh: false,
      reason: "src/ or the build's configuration changed since dist/ was built",
    });
  });

  it("is not changed by what the build does not read", () => {
    build();
    put("test/new.test.ts", "");
    put("README.md", "more");
    expect(checkBuildStamp(root)).toEqual({ fresh: true });
  });

  it("is stale while a build runs, and after one that failed", () => {
    build();
    beginBuildStamp(root); // the compiler then fails: no write
    expect(checkBuildStamp(root)).toMatchObject({ fresh: false, reason: expect.stringMatching(/missing/) });
  });

  it("records nothing when a source changed during the build", () => {
    beginBuildStamp(root);
    put("src/cli.ts", "console.log(3);");
    put("dist/cli.js", "built from either version");
    expect(writeBuildStamp(root)).toBe(false);
    expect(checkBuildStamp(root).fresh).toBe(false);
    expect(build()).toBe(true);
  });
});
