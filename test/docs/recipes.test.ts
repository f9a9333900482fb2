import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { main } from "../../src/cli/main.js";
import { checkCliArgs } from "./check-cli-args.js";
import {
  dockerRunOptions,
  type Invocation,
  invocationsInShell,
  simpleCommands,
} from "./extract-invocations.js";

/**
 * The recipes in docs/recipes/ are copied into real CI systems and servers: each must parse, run
 * only commands and options the CLI has, keep the journal between runs, and never put the token
 * anywhere but an environment variable or a secret.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const RECIPES = path.join(ROOT, "docs", "recipes");
/** The image's name in the recipes: a registry path ending in fedmigrate, or the workflow's variable. */
const IMAGE = /(^|\/)fedmigrate:[\w.-]+$|FEDMIGRATE_IMAGE/;

function read(name: string): string {
  return readFileSync(path.join(RECIPES, name), "utf8");
}

/** Every document of a YAML file, failing on any YAML error or warning. */
function yamlDocuments(name: string): unknown[] {
  const docs = parseAllDocuments(read(name), { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    expect([...doc.errors, ...doc.warnings].map((e) => e.message)).toEqual([]);
  }
  return list.map((doc) => doc.toJS());
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value ?? {}) as Json;

async function expectValidCli(invocations: readonly Invocation[]): Promise<void> {
  expect(invocations.length).toBeGreaterThan(0);
  for (const invocation of invocations) {
    await expect(checkCliArgs(invocation.args), invocation.source).resolves.toBeUndefined();
  }
}

describe("checkCliArgs (what the recipe tests rely on)", () => {
  it.each([
    [["frobnicate"]],
    [["migrate", "m.yaml", "--bogus"]],
    [["migrate"]],
    [["status", "--state", "DONE"]],
    [["migrate", "m.yaml", "--token", "x"]],
  ])("refuses %j", async (args) => {
    await expect(checkCliArgs(args)).rejects.toThrow();
  });

  it.each([
    [["migrate", "m.yaml", "--concurrency", "8", "--junit", "j.xml"]],
    [["rollback", "--run", "r-1", "--dry-run"]],
    [["status", "--state", "ABORTED", "--json"]],
    [["completion"]],
  ])("accepts %j", async (args) => {
    await expect(checkCliArgs(args)).resolves.toBeUndefined();
  });
});

describe("extracting invocations", () => {
  it("reads docker run lines, continuations, quotes and redirections", () => {
    const script = [
      'summary_dir="$(dirname "$GITHUB_STEP_SUMMARY")"',
      'flock -n /l docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" \\',
      '  -e DOMO_DEVELOPER_TOKEN -e USER="$GITHUB_ACTOR" ghcr.io/acme/fedmigrate:0.1.0 migrate m/ \\',
      "  --limit 5 >> /var/log/f.log 2>&1 # a comment",
      "docker run --rm alpine:3 echo not-us",
      "npx fedmigrate status --json && fedmigrate history",
    ].join("\n");
    expect(invocationsInShell(script, IMAGE).map((i) => i.args)).toEqual([
      ["migrate", "m/", "--limit", "5"],
      ["status", "--json"],
      ["history"],
    ]);
    const docker = simpleCommands(script)[1] ?? [];
    expect(dockerRunOptions(docker)).toEqual([
      ["--rm", ""],
      ["--user", "$(id -u):$(id -g)"],
      ["-v", "$PWD:/work"],
      ["-e", "DOMO_DEVELOPER_TOKEN"],
      ["-e", "USER=$GITHUB_ACTOR"],
    ]);
  });
});

/** The token reaches the container by name only: `-e DOMO_DEVELOPER_TOKEN`, never `=value`. */
function expectTokenByNameOnly(scripts: readonly string[]): void {
  for (const script of scripts) {
    expect(script).not.toMatch(/--(developer-)?token\b(?!-file)/);
    for (const words of simpleCommands(script)) {
      for (const [option, value] of dockerRunOptions(words)) {
        if (option === "-e" || option === "--env") expect(value).not.toMatch(/^DOMO_DEVELOPER_TOKEN=/);
      }
    }
  }
}

describe("docs/recipes/github-actions.yml", () => {
  const [workflow] = yamlDocuments("github-actions.yml").map(obj);
  const job = obj(obj(workflow?.jobs).migrate);
  const steps = (job.steps ?? []) as Json[];
  const scripts = steps.map((s) => s.run).filter((r): r is string => typeof r === "string");
  const invocations = scripts.flatMap((s) => invocationsInShell(s, IMAGE));
  const uses = (action: string) => steps.find((s) => String(s.uses).startsWith(`${action}@`));

  it("runs fedmigrate commands that exist, from the image", async () => {
    expect(invocations.map((i) => i.args[0])).toEqual(["validate", "migrate", "status"]);
    await expectValidCli(invocations);
  });

  it("runs on a schedule, one run at a time, never cancelled", () => {
    expect(Object.keys(obj(workflow?.on))).toEqual(expect.arrayContaining(["schedule", "workflow_dispatch"]));
    expect(obj(workflow?.concurrency)).toMatchObject({ "cancel-in-progress": false });
    expect(obj(workflow?.concurrency).group).toBeTruthy();
  });

  it("restores the newest journal and saves it under a new key even when the run fails", () => {
    const restore = obj(uses("actions/cache/restore")?.with);
    const save = uses("actions/cache/save");
    expect(restore["restore-keys"]).toBe("fedmigrate-journal-");
    expect(String(restore.key)).toMatch(/^fedmigrate-journal-\$\{\{ github\.run_id \}\}$/);
    expect(save?.if).toBe("always()");
    expect(obj(save?.with)).toEqual({ path: restore.path, key: restore.key });
    // The journal the CLI writes is inside the cached folder.
    const migrate = invocations.find((i) => i.args[0] === "migrate");
    const script = scripts.find((s) => s.includes("migrate migrations/")) ?? "";
    const journal = dockerRunOptions(simpleCommands(script).find((w) => w.includes("docker")) ?? [])
      .filter(([o, v]) => o === "-e" && v.startsWith("FEDMIGRATE_JOURNAL="))
      .map(([, v]) => v.slice("FEDMIGRATE_JOURNAL=".length));
    expect(migrate).toBeDefined();
    expect(journal).toEqual([`/work/${restore.path}/fedmigrate.db`]);
    expect(uses("actions/upload-artifact")?.if).toBe("always()");
  });

  it("hands the container the step summary and the CI job's URL, and the token by name only", () => {
    const script = scripts.find((s) => s.includes("migrate migrations/")) ?? "";
    const options = dockerRunOptions(simpleCommands(script).find((w) => w.includes("docker")) ?? []);
    const envs = options.filter(([o]) => o === "-e").map(([, v]) => v);
    expect(envs).toEqual(
      expect.arrayContaining([
        "GITHUB_STEP_SUMMARY",
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_RUN_ID",
      ]),
    );
    expect(options).toContainEqual(["-v", "$summary_dir:$summary_dir"]);
    expectTokenByNameOnly(scripts);
  });
});

describe("docs/recipes/gitlab-ci.yml", () => {
  const [pipeline] = yamlDocuments("gitlab-ci.yml").map(obj);
  const job = obj(pipeline?.fedmigrate);
  const lines = [...((job.script ?? []) as string[]), ...((job.after_script ?? []) as string[])];
  const invocations = lines.flatMap((line) => invocationsInShell(line, IMAGE));

  it("runs fedmigrate commands that exist, on the image with its entrypoint cleared", async () => {
    expect(invocations.map((i) => i.args[0])).toEqual(["validate", "migrate", "status"]);
    await expectValidCli(invocations);
    expect(obj(job.image).name).toMatch(IMAGE);
    expect(obj(job.image).entrypoint).toEqual([""]);
  });

  it("keeps the journal in a cache saved even on failure, and as an artifact", () => {
    const cache = obj(job.cache);
    expect(cache.when).toBe("always");
    const paths = cache.paths as string[];
    const journal = String(obj(job.variables).FEDMIGRATE_JOURNAL);
    expect(paths.some((p) => journal === `$CI_PROJECT_DIR/${p.replace(/\/$/, "")}/fedmigrate.db`)).toBe(true);
    const artifacts = obj(job.artifacts);
    expect(artifacts.when).toBe("always");
    expect(artifacts.paths).toEqual(expect.arrayContaining(paths));
    expect(obj(artifacts.reports).junit).toBe("reports/junit.xml");
    expect(job.resource_group).toBeTruthy();
  });

  it("never sets the token in the file", () => {
    expect(Object.keys(obj(job.variables))).not.toContain("DOMO_DEVELOPER_TOKEN");
    expectTokenByNameOnly(lines);
  });
});

describe("docs/recipes/crontab and logrotate.conf", () => {
  const entries = read("crontab")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"));

  it("has one valid crontab line that runs the image with the journal on a volume", async () => {
    expect(entries).toHaveLength(1);
    const fields = (entries[0] ?? "").trim().split(/\s+/);
    const schedule = fields.slice(0, 5);
    expect(schedule).toHaveLength(5);
    const ranges: [number, number][] = [
      [0, 59],
      [0, 23],
      [1, 31],
      [1, 12],
      [0, 7],
    ];
    schedule.forEach((field, n) => {
      const [min, max] = ranges[n] as [number, number];
      for (const part of field.split(",")) {
        if (part === "*" || /^\*\/\d+$/.test(part)) continue;
        for (const value of part.split("-").map(Number)) {
          expect(value).toBeGreaterThanOrEqual(min);
          expect(value).toBeLessThanOrEqual(max);
        }
      }
    });
    const command = fields.slice(5).join(" ");
    // cron turns % into a newline: the command must not contain one.
    expect(command).not.toContain("%");
    const invocations = invocationsInShell(command, IMAGE);
    expect(invocations.map((i) => i.args[0])).toEqual(["migrate"]);
    await expectValidCli(invocations);

    const docker = simpleCommands(command)[0] ?? [];
    expect(docker.slice(0, 2)).toEqual(["flock", "-n"]);
    const volumes = dockerRunOptions(docker)
      .filter(([o]) => o === "-v")
      .map(([, v]) => v);
    // The image keeps its journal in /data (FEDMIGRATE_JOURNAL=/data/fedmigrate.db): a named volume.
    expect(volumes).toContain("fedmigrate-data:/data");
    expectTokenByNameOnly([command]);
    expect(dockerRunOptions(docker).map(([o]) => o)).toContain("--env-file");
  });

  it("its set-up commands work as written (docker aside), the folders made before they are filled", () => {
    const setUp = read("crontab")
      .split("\n")
      .filter((line) => /^#\s{3}\S/.test(line))
      .map((line) => line.replace(/^#\s+/, "").replace(/\s+#.*$/, ""))
      .filter((line) => !line.startsWith("docker "));
    expect(setUp.some((line) => line.startsWith("cp "))).toBe(true);
    // The same commands under a scratch root: /etc and /var are folders of it.
    const root = mkdtempSync(path.join(tmpdir(), "fedmigrate-cron-"));
    try {
      mkdirSync(path.join(root, "work", "migrations"), { recursive: true });
      writeFileSync(path.join(root, "work", "migrations", "wave1.yaml"), "version: 1\n");
      const script = setUp.map((line) => line.replace(/(^|\s)\/(etc|var)\//g, `$1${root}/$2/`)).join("\n");
      mkdirSync(path.join(root, "etc"));
      mkdirSync(path.join(root, "var", "log"), { recursive: true });
      const result = spawnSync("sh", ["-e", "-c", script], {
        cwd: path.join(root, "work"),
        encoding: "utf8",
      });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(existsSync(path.join(root, "etc", "fedmigrate", "migrations", "wave1.yaml"))).toBe(true);
      expect(statSync(path.join(root, "etc", "fedmigrate", "env")).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("asks for JSON log lines, which the logrotate recipe reads with jq", () => {
    expect(entries[0]).toContain("--log-format json");
    expect(read("logrotate.conf")).toContain("jq");
  });

  it("rotates the log file the crontab line appends to", () => {
    const target = /(?:>>|>)\s*(\S+)/.exec(entries[0] ?? "")?.[1];
    expect(target).toBeDefined();
    const conf = read("logrotate.conf");
    const block = new RegExp(
      `^${(target as string).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\s*\\{([^}]*)\\}`,
      "m",
    ).exec(conf);
    expect(block, `a logrotate block for ${target}`).not.toBeNull();
    const directives = (block?.[1] ?? "")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    expect(directives).toEqual(expect.arrayContaining(["compress", "missingok", "notifempty"]));
    expect(directives.some((d) => /^rotate \d+$/.test(d))).toBe(true);
  });
});

describe("docs/recipes/kubernetes-cronjob.yaml", () => {
  const docs = yamlDocuments("kubernetes-cronjob.yaml").map(obj);
  const byKind = (kind: string) => docs.find((d) => d.kind === kind) ?? {};
  const cron = byKind("CronJob");
  const jobSpec = obj(obj(obj(cron.spec).jobTemplate).spec);
  const pod = obj(obj(jobSpec.template).spec);
  const container = obj(((pod.containers ?? []) as Json[])[0]);
  const volumes = (pod.volumes ?? []) as Json[];
  const mounts = (container.volumeMounts ?? []) as Json[];

  it("runs a fedmigrate command that exists, through the image's entrypoint", async () => {
    expect(cron.apiVersion).toBe("batch/v1");
    expect(container.image).toMatch(IMAGE);
    expect(container.command).toBeUndefined();
    await expectValidCli([{ args: container.args as string[], source: "CronJob args" }]);
  });

  it("never runs two at once, and does not retry a failed run at once", () => {
    expect(obj(cron.spec).concurrencyPolicy).toBe("Forbid");
    expect(jobSpec.backoffLimit).toBe(0);
    expect(pod.restartPolicy).toBe("Never");
  });

  it("keeps the journal on the persistent volume claim, written as a non-root user", () => {
    const claim = byKind("PersistentVolumeClaim");
    expect(obj(claim.spec).accessModes).toEqual(["ReadWriteOnce"]);
    const journalVolume = volumes.find(
      (v) => obj(v.persistentVolumeClaim).claimName === obj(claim.metadata).name,
    );
    expect(journalVolume).toBeDefined();
    const mount = mounts.find((m) => m.name === journalVolume?.name);
    const env = (container.env ?? []) as Json[];
    const journal = String(env.find((e) => e.name === "FEDMIGRATE_JOURNAL")?.value);
    expect(journal.startsWith(`${mount?.mountPath}/`)).toBe(true);
    expect(obj(pod.securityContext)).toMatchObject({ runAsNonRoot: true, fsGroup: 1000 });
  });

  it("takes the token from a Secret", () => {
    const env = (container.env ?? []) as Json[];
    const token = env.find((e) => e.name === "DOMO_DEVELOPER_TOKEN");
    expect(token?.value).toBeUndefined();
    expect(obj(obj(token?.valueFrom).secretKeyRef).name).toBeTruthy();
  });

  it("ships example manifests that fedmigrate validate accepts", async () => {
    const configMap = byKind("ConfigMap");
    const manifestsMount = mounts.find((m) => m.mountPath === (container.args as string[])[1]);
    const volume = volumes.find((v) => v.name === manifestsMount?.name);
    expect(obj(volume?.configMap).name).toBe(obj(configMap.metadata).name);
    const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-k8s-"));
    try {
      for (const [file, text] of Object.entries(obj(configMap.data))) {
        writeFileSync(path.join(dir, file), String(text));
      }
      const stdout = Object.assign(new Writable({ write: (_c, _e, done) => done() }), {});
      const code = await main(["validate", dir], { stdout, stderr: stdout, env: {}, cwd: dir });
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
