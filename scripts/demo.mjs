// npm run demo: the whole job on the embedded defaults. It starts the simulated Domo API on
// loopback with manifests/demo/fixture.yaml, then runs plan, migrate (some entries fail on
// purpose), status, migrate again (the rerun skips what is done and retries only the failures)
// and history, against a fresh journal in .demo/, and stops the simulator.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const fixture = "manifests/demo/fixture.yaml";
const manifest = "manifests/demo/migrations.yaml";
const journalDir = `${root}.demo`;

rmSync(journalDir, { recursive: true, force: true });
mkdirSync(journalDir, { recursive: true });

const sim = spawn(process.execPath, [cli, "simulate", "--fixture", fixture], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve, reject) => {
  const lines = createInterface({ input: sim.stdout });
  lines.once("line", (line) => resolve(line.trim()));
  sim.once("exit", (code) => reject(new Error(`the simulator exited (${code}) before printing its URL`)));
});
console.log(`Simulated Domo API at ${url}\n`);

const env = {
  ...process.env,
  DOMO_DOMAIN: url,
  DOMO_DEVELOPER_TOKEN: "demo-token",
  FEDMIGRATE_JOURNAL: `${journalDir}/fedmigrate.db`,
  FEDMIGRATE_RETRY_MIN_MS: "200",
};
// [arguments, the exit codes this step may end with]
const steps = [
  [
    ["plan", manifest],
    [0, 1],
  ],
  // --yes: run from a terminal, migrate would otherwise ask first.
  [["migrate", manifest, "--concurrency", "4", "--yes"], [1]],
  [["status"], [0]],
  // --yes: run from a terminal, migrate would otherwise ask first.
  [["migrate", manifest, "--concurrency", "4", "--yes"], [1]],
  [["history"], [0]],
];
let unexpected = 0;
try {
  for (const [args, expected] of steps) {
    console.log(`\n$ fedmigrate ${args.join(" ")}`);
    const result = spawnSync(process.execPath, [cli, ...args, "--log-level", "warn"], {
      cwd: root,
      env,
      stdio: "inherit",
    });
    const code = result.status ?? 1;
    console.log(`(exit ${code})`);
    if (!expected.includes(code)) {
      unexpected += 1;
      console.error(`demo: 'fedmigrate ${args[0]}' exited ${code}, expected ${expected.join(" or ")}`);
    }
  }
} finally {
  sim.kill("SIGTERM");
}
console.log(
  unexpected === 0
    ? "\nDemo done: the second migrate sent nothing for what the first one finished. The journal is in .demo/fedmigrate.db."
    : `\nDemo finished with ${unexpected} unexpected exit code(s).`,
);
process.exitCode = unexpected === 0 ? 0 : 1;
