// A scenario on disk: a generated simulator fixture and the manifest that migrates all of it,
// written with the tests' generator (test/helpers/generate-fixture.ts, not shipped in dist/),
// which `npm run bench` compiles into bench/.build/ (tsconfig.bench.json).
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CLI } from "./cli-process.mjs";

const FIXTURE_HELPERS = fileURLToPath(new URL("./.build/test/helpers/", import.meta.url));

/** Imports a fixture helper compiled by `tsc -p tsconfig.bench.json`. */
function importHelper(file) {
  const full = path.join(FIXTURE_HELPERS, file);
  if (!existsSync(full)) {
    throw new Error(
      `${path.relative(process.cwd(), full)} is missing: run \`npx tsc -p tsconfig.bench.json\` (npm run bench does)`,
    );
  }
  return import(pathToFileURL(full).href);
}

/** Imports a module of the build under test (`dist/…`). */
export function importBuilt(relative) {
  return import(pathToFileURL(path.join(path.dirname(CLI), relative)).href);
}

/**
 * Writes `fixture.json` (JSON is YAML, and the simulator reads YAML) and `migrations.yaml` into
 * `dir`. `options` are generateFixture's.
 * @returns {Promise<{fixture: any, fixtureFile: string, manifestFile: string}>}
 */
export async function writeScenario(dir, options) {
  const [{ generateFixture }, { fixtureManifest }] = await Promise.all([
    importHelper("generate-fixture.js"),
    importHelper("fixture-manifest.js"),
  ]);
  const fixture = generateFixture(options);
  const fixtureFile = path.join(dir, "fixture.json");
  const manifestFile = path.join(dir, "migrations.yaml");
  writeFileSync(fixtureFile, JSON.stringify(fixture));
  writeFileSync(manifestFile, fixtureManifest(fixture));
  return { fixture, fixtureFile, manifestFile };
}

/**
 * What the manifest of `fixture` asks for, entry by entry, with accounts given to datasources of
 * each type in turn as fixtureManifest does: for the curl run and the generated journal.
 * @returns {{ datasource: string, name: string, account: string, catalog: string, schema: string, table: string }[]}
 */
export function manifestItems(fixture) {
  const accountsByType = new Map();
  for (const account of fixture.accounts) {
    accountsByType.set(account.type, [...(accountsByType.get(account.type) ?? []), account.id]);
  }
  const turn = new Map();
  const items = [];
  for (const ds of fixture.datasources) {
    const accounts = accountsByType.get(ds.type);
    if (!accounts) continue;
    const n = turn.get(ds.type) ?? 0;
    turn.set(ds.type, n + 1);
    items.push({
      datasource: ds.id,
      name: ds.name,
      account: accounts[n % accounts.length],
      catalog: ds.catalog,
      schema: ds.schema,
      table: ds.table,
    });
  }
  return items;
}
