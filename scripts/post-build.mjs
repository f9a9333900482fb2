// Finishes the build that tsc starts:
// - makes the built CLI executable (tsc keeps the shebang but not the mode);
// - copies the HTML report's script and stylesheet next to the module that inlines them
//   (dist/report/html), which computes their CSP hashes from that very text.
import { chmodSync, copyFileSync, mkdirSync, readdirSync } from "node:fs";

chmodSync(new URL("../dist/cli.js", import.meta.url), 0o755);

const assets = new URL("../src/report/html/", import.meta.url);
const target = new URL("../dist/report/html/", import.meta.url);
mkdirSync(target, { recursive: true });
for (const name of readdirSync(assets)) {
  if (/\.(js|css)$/.test(name)) copyFileSync(new URL(name, assets), new URL(name, target));
}
