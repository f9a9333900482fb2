// Writes manifests/manifest.schema.json from the manifest field tables (src/manifest/schema.ts),
// through the build in dist/: run `npm run build` first. `--check` only compares, exiting 1 on drift.
import { readFileSync, writeFileSync } from "node:fs";
import { manifestJsonSchema } from "../dist/manifest/schema.js";

const target = new URL("../manifests/manifest.schema.json", import.meta.url);
const text = `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // A missing file is drift too.
  }
  if (current !== text) {
    process.stderr.write("manifests/manifest.schema.json is out of date: run scripts/generate-schema.mjs\n");
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
