// What dist/ was built from: a SHA-256 over every file the build reads (src/, the tsconfigs, the
// build scripts, package.json). `npm run build` runs `begin` before compiling and `write` after
// it succeeds; the test suite's end-to-end projects compare the stamp before they spawn
// dist/cli.js (test/helpers/fresh-build.ts), so they never test an old build.
//   node scripts/build-stamp.mjs begin   drop the stamp, note the inputs' hash as the build starts
//   node scripts/build-stamp.mjs write   record that hash, unless an input changed meanwhile
//   node scripts/build-stamp.mjs check   exit 1, saying why, when dist/ is stale
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The build's inputs, from the root: folders are walked, files taken as they are. */
export const BUILD_INPUTS = [
  "src",
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "scripts/post-build.mjs",
  "scripts/build-stamp.mjs",
];

/** In dist/, so removing dist/ removes it too; package.json's `files` leaves it out of the package. */
export const STAMP_FILE = "dist/.build-inputs";
const PENDING_FILE = "dist/.build-inputs.pending";

function inputFiles(root) {
  const files = [];
  for (const input of BUILD_INPUTS) {
    const full = path.join(root, input);
    if (!existsSync(full)) continue;
    if (!statSync(full).isDirectory()) {
      files.push(input);
      continue;
    }
    for (const entry of readdirSync(full, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      files.push(path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"));
    }
  }
  return files.sort();
}

/** SHA-256 over the inputs' paths and contents, in a stable order. */
export function buildInputsHash(root = ROOT) {
  const hash = createHash("sha256");
  for (const file of inputFiles(root)) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * Whether dist/ was built from the inputs as they are now.
 * @returns {{ fresh: true } | { fresh: false, reason: string }}
 */
export function checkBuildStamp(root = ROOT) {
  if (!existsSync(path.join(root, "dist", "cli.js")))
    return { fresh: false, reason: "dist/cli.js does not exist" };
  const stampFile = path.join(root, STAMP_FILE);
  if (!existsSync(stampFile)) {
    return {
      fresh: false,
      reason: `${STAMP_FILE} is missing: dist/ was not built by a complete npm run build`,
    };
  }
  if (readFileSync(stampFile, "utf8").trim() !== buildInputsHash(root)) {
    return { fresh: false, reason: "src/ or the build's configuration changed since dist/ was built" };
  }
  return { fresh: true };
}

/** Before compiling: dist/ is not fresh until the build ends; the inputs as they are now. */
export function beginBuildStamp(root = ROOT) {
  mkdirSync(path.join(root, "dist"), { recursive: true });
  rmSync(path.join(root, STAMP_FILE), { force: true });
  writeFileSync(path.join(root, PENDING_FILE), `${buildInputsHash(root)}\n`);
}

/**
 * After a successful build: records the hash noted by `begin`, or none when an input changed
 * during the build (dist/ may hold either version; the next test run rebuilds).
 * @returns {boolean} whether the stamp was written
 */
export function writeBuildStamp(root = ROOT) {
  const pending = path.join(root, PENDING_FILE);
  const noted = existsSync(pending) ? readFileSync(pending, "utf8").trim() : buildInputsHash(root);
  rmSync(pending, { force: true });
  if (noted !== buildInputsHash(root)) return false;
  writeFileSync(`${pending}.tmp`, `${noted}\n`);
  renameSync(`${pending}.tmp`, path.join(root, STAMP_FILE));
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  if (command === "begin") {
    beginBuildStamp();
  } else if (command === "write") {
    if (!writeBuildStamp())
      console.error("build-stamp: a source changed during the build; the next test run rebuilds");
  } else if (command === "check") {
    const result = checkBuildStamp();
    if (!result.fresh) {
      console.error(`dist/ is stale: ${result.reason}. Run npm run build.`);
      process.exit(1);
    }
  } else {
    console.error("usage: node scripts/build-stamp.mjs begin|write|check");
    process.exit(2);
  }
}
