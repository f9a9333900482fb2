#!/usr/bin/env node
// docs/terminal-80-columns.png: a migrate run against the demo simulator, as a terminal 80
// columns wide shows it. The CLI runs in Debian's tmux; the pane (colours included,
// `capture-pane -e`) becomes an HTML page that Debian's chromium photographs headless.
//   npm run build && node scripts/terminal-screenshot.mjs [out.png]
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

const ROOT = path.resolve(import.meta.dirname, "..");
const CLI = path.join(ROOT, "dist", "cli.js");
const OUT = path.resolve(process.argv[2] ?? path.join(ROOT, "docs", "terminal-80-columns.png"));
const COLUMNS = 80;
const ROWS = 44;
const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-shot-"));
const socket = `fedmigrate-shot-${process.pid}`;
const tmux = (...args) =>
  execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8" });

const sim = spawn(
  process.execPath,
  [CLI, "simulate", "--fixture", path.join(ROOT, "manifests/demo/fixture.yaml")],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const url = await new Promise((resolve) => createInterface({ input: sim.stdout }).once("line", resolve));

try {
  const env = [
    `export DOMO_DOMAIN=${url} DOMO_DEVELOPER_TOKEN=demo-token FEDMIGRATE_JOURNAL=${dir}/fedmigrate.db`,
    "export FEDMIGRATE_RETRY_MIN_MS=0 TERM=xterm-256color PS1='$ '",
    "unset CI NO_COLOR",
    `fedmigrate() { ${process.execPath} ${CLI} "$@"; }`,
  ].join("\n");
  writeFileSync(path.join(dir, "env.sh"), `${env}\n`, { mode: 0o600 });
  tmux("new-session", "-d", "-s", "shot", "-x", String(COLUMNS), "-y", String(ROWS), "sh");
  tmux("send-keys", "-t", "shot", `. ${dir}/env.sh; clear`, "Enter");
  tmux("send-keys", "-t", "shot", "fedmigrate migrate manifests/demo/migrations.yaml --yes; echo", "Enter");
  const until = Date.now() + 60_000;
  while (!/^Next: /m.test(tmux("capture-pane", "-p", "-t", "shot")) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pane = tmux("capture-pane", "-p", "-e", "-t", "shot").replace(/\n+$/, "");
  const html = `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#1e1e1e}
pre{margin:0;padding:12px 14px;font:14px/1.25 "DejaVu Sans Mono",monospace;color:#d4d4d4;width:${COLUMNS}ch}
.dim{opacity:.6}.b{font-weight:bold}.c31{color:#f14c4c}.c32{color:#23d18b}.c33{color:#e5e510}.c36{color:#29b8db}
</style><pre>${ansiToHtml(pane)}</pre>`;
  const page = path.join(dir, "pane.html");
  writeFileSync(page, html);
  const lines = pane.split("\n").length;
  execFileSync(
    "chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      `--window-size=${Math.ceil(COLUMNS * 8.45) + 28},${Math.ceil(lines * 17.5) + 24}`,
      `--screenshot=${OUT}`,
      `file://${page}`,
    ],
    { stdio: "ignore" },
  );
  console.log(`wrote ${OUT}`);
} finally {
  try {
    tmux("kill-server");
  } catch {}
  sim.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}

/** The SGR colours fedmigrate uses, as spans; everything else escaped as text. */
function ansiToHtml(text) {
  const toText = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  let out = "";
  let open = 0;
  const ESC = String.fromCharCode(27);
  for (const part of text.split(new RegExp(`(${ESC}\\[[0-9;]*m)`))) {
    const sgr = new RegExp(`^${ESC}\\[([0-9;]*)m$`).exec(part);
    if (!sgr) {
      out += toText(part);
      continue;
    }
    for (const code of (sgr[1] || "0").split(";").map(Number)) {
      if (code === 0 || code === 39 || code === 22 || code === 49) {
        out += "</span>".repeat(open);
        open = 0;
      } else if (code === 2 || code === 1 || (code >= 31 && code <= 36)) {
        out += `<span class="${code === 2 ? "dim" : code === 1 ? "b" : `c${code}`}">`;
        open += 1;
      }
    }
  }
  return out + "</span>".repeat(open);
}
