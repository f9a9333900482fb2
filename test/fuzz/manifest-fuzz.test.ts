import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/sim/seeded-random.js";
import { runCli } from "../e2e/cli-harness.js";
import { fixtureManifest } from "../helpers/fixture-manifest.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { badInputProblems, runInProcess } from "./cli-capture.js";
import { mutateManifest } from "./mutate-manifest.js";

/**
 * Issue 8, bad input: 2,000 mutations of real manifests (20,000 with FEDMIGRATE_LONG_TESTS=1),
 * each through `validate` in process (an eighth also with `--json`, a tenth with `plan
 * --offline`), and a sample through the built CLI for the real exit codes. Every case exits 0
 * or 2, says why when it refuses, and never prints a stack trace. A failing case names its seed
 * and index (FEDMIGRATE_FUZZ_SEED replays a run) and is kept under test-results/fuzz-failures/.
 */
const LONG = process.env.FEDMIGRATE_LONG_TESTS === "1";
const CASES = LONG ? 20_000 : 2_000;
const SPAWNED = LONG ? 60 : 12;
const SEED = Number(process.env.FEDMIGRATE_FUZZ_SEED ?? 8);
const TIMEOUT_MS = LONG ? 1_800_000 : 180_000;

const REPO = path.resolve(import.meta.dirname, "../..");
const FAILURES = path.join(REPO, "test-results", "fuzz-failures");

/** Real manifests to start from: the shipped ones, the broken fixtures, and a generated one. */
function sources(): { name: string; bytes: Buffer }[] {
  const files = [
    "manifests/example.yaml",
    "manifests/demo/migrations.yaml",
    "test/fixtures/manifests/three-bad-entries.yaml",
    "test/fixtures/manifests/token.yaml",
    "test/fixtures/manifests/alias-bomb.yaml",
  ];
  const generated = fixtureManifest(generateFixture({ count: 20, seed: 4 }), { domain: "acme.domo.com" });
  return [
    ...files.map((file) => ({ name: file, bytes: readFileSync(path.join(REPO, file)) })),
    { name: "(generated, 20 entries)", bytes: Buffer.from(generated) },
  ];
}

const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  index: number;
  source: string;
  mutations: string[];
  file: string;
}

function makeCase(index: number, seed: number, all: { name: string; bytes: Buffer }[]): Case {
  const random = seededRandom(seed * 1_000_003 + index);
  const source = all[Math.floor(random() * all.length)] as { name: string; bytes: Buffer };
  const { bytes, mutations } = mutateManifest(source.bytes, random);
  const file = path.join(dir, `case-${index}.yaml`);
  writeFileSync(file, bytes);
  return { index, source: source.name, mutations, file };
}

/** Keeps a failing input where a person can find it after the temp folder is gone. */
function keep(c: Case): string {
  mkdirSync(FAILURES, { recursive: true });
  const kept = path.join(FAILURES, `seed-${SEED}-case-${c.index}.yaml`);
  writeFileSync(kept, readFileSync(c.file));
  return kept;
}

describe(`manifest fuzz: ${CASES} mutated manifests`, () => {
  const all = sources();
  const figures = { cases: 0, exit0: 0, exit2: 0, planned: 0, json: 0 };

  it(
    `validate (and plan --offline) exit 0 or 2 with a message, never a stack trace (seed ${SEED})`,
    async () => {
      const failures: string[] = [];
      for (let index = 0; index < CASES; index++) {
        const c = makeCase(index, SEED, all);
        const runs: [string, string[]][] = [["validate", ["validate", c.file]]];
        if (index % 8 === 1) runs.push(["validate --json", ["validate", c.file, "--json"]]);
        if (index % 10 === 2) {
          runs.push([
            "plan --offline",
            [
              "plan",
              c.file,
              "--offline",
              "--domain",
              "acme.domo.com",
              "--journal",
              path.join(dir, "none.db"),
            ],
          ]);
        }
        for (const [what, args] of runs) {
          const result = await runInProcess(args, dir);
          const json = what === "validate --json";
          // With --json the problems are in the document on stdout, and stderr stays empty.
          const problems = badInputProblems(json ? { ...result, code: 0 } : result, [0, 2]);
          if (json) {
            figures.json += 1;
            if (![0, 2].includes(result.code)) problems.push(`exit ${result.code}`);
            try {
              const doc = JSON.parse(result.stdout) as { success: boolean; issues: { message: string }[] };
              if (doc.success !== (result.code === 0))
                problems.push(`--json says success ${doc.success}, exit ${result.code}`);
              if (result.code === 2 && !doc.issues.some((issue) => issue.message.trim() !== "")) {
                problems.push("--json refused without an issue");
              }
            } catch {
              problems.push("--json stdout is not one JSON document");
            }
          }
          if (what === "plan --offline") figures.planned += 1;
          if (result.code === 0) figures.exit0 += 1;
          if (result.code === 2) figures.exit2 += 1;
          if (problems.length > 0) {
            failures.push(
              `case ${c.index} (${what}) from ${c.source} [${c.mutations.join("; ")}]: ${problems.join(", ")}; kept as ${keep(c)}; replay with FEDMIGRATE_FUZZ_SEED=${SEED}`,
            );
          }
        }
        figures.cases += 1;
        rmSync(c.file, { force: true });
      }
      console.log(JSON.stringify({ manifestFuzz: { seed: SEED, ...figures, failures: failures.length } }));
      expect(failures).toEqual([]);
      // Both kinds of answer must occur, or the generator is not doing its job.
      expect(figures.exit0).toBeGreaterThan(0);
      expect(figures.exit2).toBeGreaterThan(CASES / 2);
    },
    TIMEOUT_MS,
  );

  it(
    `the built CLI gives the same answers for a sample of ${SPAWNED} cases`,
    async () => {
      const failures: string[] = [];
      for (let i = 0; i < SPAWNED; i++) {
        const c = makeCase(CASES + i, SEED, all);
        const inProcess = await runInProcess(["validate", c.file], dir);
        const spawned = await runCli(
          ["validate", c.file],
          { PATH: process.env.PATH, HOME: process.env.HOME },
          dir,
        );
        const problems = badInputProblems(
          { code: spawned.code ?? -1, stdout: spawned.stdout, stderr: spawned.stderr },
          [0, 2],
        );
        if (spawned.code !== inProcess.code)
          problems.push(`exit ${spawned.code} spawned, ${inProcess.code} in process`);
        if (problems.length > 0) {
          failures.push(
            `case ${c.index} [${c.mutations.join("; ")}]: ${problems.join(", ")}; kept as ${keep(c)}`,
          );
        }
      }
      expect(failures).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
