import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * read-simple-yaml.ts builds the `yaml` package's own node classes and relies on their internals
 * (plain fields its clone() copies, a range layout): a minor release may change them. So the
 * version is pinned exactly, and the shrinkwrap the package ships (for global installs) holds that
 * same version; raising it is a deliberate change, with read-simple-yaml's tests run against it.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));

describe("the dependencies whose internals the code relies on", () => {
  const pkg = read("package.json") as { dependencies: Record<string, string>; files: string[] };
  const lock = read("npm-shrinkwrap.json") as { packages: Record<string, { version?: string }> };

  // valibot: src/sim/fixture-schema.ts's closed() wraps an object schema's `~run`.
  it.each(["yaml", "valibot"])(
    "%s is pinned to one exact version, the one the shrinkwrap locks and node_modules holds",
    (name) => {
      const spec = pkg.dependencies[name];
      expect(spec).toMatch(/^\d+\.\d+\.\d+$/);
      expect(lock.packages[`node_modules/${name}`]?.version).toBe(spec);
      expect((read(`node_modules/${name}/package.json`) as { version: string }).version).toBe(spec);
    },
  );

  it("ships the shrinkwrap in the package", () => {
    expect(pkg.files).toContain("npm-shrinkwrap.json");
  });
});
