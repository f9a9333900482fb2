import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { execForm, parseCopy, parseDockerfile } from "./parse-dockerfile.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const stages = parseDockerfile(readFileSync(path.join(ROOT, "Dockerfile"), "utf8"));
const build = stages[0];
const runtime = stages.at(-1);

describe("the Dockerfile", () => {
  it("has a build stage and a runtime stage on the same Node image", () => {
    expect(stages).toHaveLength(2);
    expect(build?.name).toBe("build");
    // The native module built in the build stage must match the runtime's Node ABI.
    expect(runtime?.image).toBe(build?.image);
    expect(build?.image).toMatch(/^node:\d+-/);
  });

  it("installs from the lock with npm ci, then prunes dev dependencies", () => {
    const runs = build?.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args) ?? [];
    const install = runs.find((r) => /\bnpm (ci|install|i)\b/.test(r)) ?? "";
    expect(install).toMatch(/\bnpm ci\b/);
    expect(install).toMatch(/\bnpm prune --omit=dev\b/);
    const copies =
      build?.instructions.filter((i) => i.keyword === "COPY").map((i) => parseCopy(i.args)) ?? [];
    const lockCopied = copies.findIndex((c) => c.sources.includes("npm-shrinkwrap.json"));
    expect(lockCopied).toBeGreaterThanOrEqual(0);
  });

  it("runs as a non-root user, with the CLI as its entrypoint and no HEALTHCHECK", () => {
    const keywords = runtime?.instructions.map((i) => i.keyword) ?? [];
    const user = runtime?.instructions.filter((i) => i.keyword === "USER").at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // A one-shot CLI has nothing to health-check; a HEALTHCHECK would only mark runs unhealthy.
    expect(keywords).not.toContain("HEALTHCHECK");
    const entry = runtime?.instructions.find((i) => i.keyword === "ENTRYPOINT")?.args ?? "";
    expect(execForm(entry)).toEqual(["fedmigrate"]);
    // The entrypoint comes after USER: nothing after it switches back to root.
    expect(keywords.lastIndexOf("USER")).toBeLessThan(keywords.indexOf("ENTRYPOINT"));
  });

  it("keeps the journal on a volume owned by that user", () => {
    const env = runtime?.instructions.filter((i) => i.keyword === "ENV").map((i) => i.args) ?? [];
    expect(env.join(" ")).toMatch(/FEDMIGRATE_JOURNAL=\/data\//);
    expect(runtime?.instructions.find((i) => i.keyword === "VOLUME")?.args).toContain("/data");
    const user = runtime?.instructions.filter((i) => i.keyword === "USER").at(-1)?.args ?? "";
    const chown = runtime?.instructions.find((i) => i.keyword === "RUN" && i.args.includes("chown"))?.args;
    expect(chown).toContain(`chown ${user}:${user} /data`);
  });
});

describe(".dockerignore", () => {
  const patterns = readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  // Docker's matching, for the plain patterns this file uses (a name, or `*` within one level).
  const ignored = (file: string): boolean =>
    patterns.some((p) => {
      const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}(/|$)`);
      return re.test(file);
    });

  it("keeps everything the build stage copies", () => {
    const sources =
      build?.instructions
        .filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from"))
        .flatMap((i) => parseCopy(i.args).sources) ?? [];
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      expect(ignored(source), `${source} is excluded by .dockerignore`).toBe(false);
    }
  });

  it.each(["fedmigrate.db", "fedmigrate.db-wal", ".domo-token", "node_modules", ".git", "dist"])(
    "keeps %s out of the build context",
    (file) => {
      expect(ignored(file)).toBe(true);
    },
  );
});

describe("parseDockerfile", () => {
  it("joins continued lines, skips comments and names stages", () => {
    const parsed = parseDockerfile(
      [
        "# a comment",
        "FROM node:22-slim AS build",
        "RUN a \\",
        "  # inside a continuation",
        "  && b",
        "",
        "FROM node:22-slim",
        'ENTRYPOINT ["x", "y"]',
      ].join("\n"),
    );
    expect(parsed).toEqual([
      { image: "node:22-slim", name: "build", instructions: [{ keyword: "RUN", args: "a && b", line: 3 }] },
      {
        image: "node:22-slim",
        name: null,
        instructions: [{ keyword: "ENTRYPOINT", args: '["x", "y"]', line: 8 }],
      },
    ]);
  });

  it.each([
    ["RUN before FROM", "RUN x", /before any FROM/],
    ["a trailing continuation", "FROM a\nRUN x \\", /ends inside/],
    ["a heredoc", "FROM a\nRUN <<EOF", /heredocs/],
  ])("rejects %s", (_name, text, error) => {
    expect(() => parseDockerfile(text)).toThrow(error);
  });

  it("reads COPY's --from, sources and destination", () => {
    expect(parseCopy("--from=build /app/dist ./dist")).toEqual({
      from: "build",
      sources: ["/app/dist"],
      destination: "./dist",
    });
    expect(parseCopy("a b ./")).toEqual({ from: null, sources: ["a", "b"], destination: "./" });
    expect(() => parseCopy("--chmod=644 a b")).toThrow(/not supported/);
  });
});
