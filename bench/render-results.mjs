// bench/RESULTS.md from the scenarios' figures: the goals of issue 7 first, met or not, then each
// scenario side by side, then where the machine and the build came from.

const ms = (value) =>
  value === undefined || value === null ? "–" : `${Math.round(value).toLocaleString("en")} ms`;
const s = (value) => (value === undefined || value === null ? "–" : `${(value / 1000).toFixed(2)} s`);
const mb = (kb) => (kb === undefined || kb === null ? "–" : `${Math.round(kb / 1024)} MB`);
const x = (value, digits = 3) => (value === undefined || value === null ? "–" : value.toFixed(digits));
const pct = (value) => `${(value * 100).toFixed(1)} %`;
const met = (ok) => (ok ? "met" : "**not met**");

/** The goals of issue 7, each with its figure and whether it is met; undefined where not measured. */
export function goalsOf(byId) {
  const rows = [];
  const t = byId.throughput?.figures;
  if (t) {
    rows.push([
      "Throughput: ideal / ours ≥ 0.95",
      `${x(t.oursRatio)} (${s(t.oursMs)} against ${s(t.idealMs)})`,
      met(t.oursRatio >= 0.95 && t.oursExit === 0),
    ]);
    rows.push([
      "Throughput: faster than `xargs -P 16 curl`",
      `${s(t.oursMs)} against ${s(t.curlMs)}`,
      met(t.oursMs < t.curlMs && t.oursExit === 0),
    ]);
  }
  const r = byId["rate-limit"]?.figures;
  if (r) {
    rows.push([
      "Rate limit: within 1.10 × N/R",
      `${x(r.overIdeal)} × (${s(r.wallMs)} against ${s(r.idealMs)})`,
      met(r.overIdeal <= 1.1 && r.exit === 0),
    ]);
    rows.push([
      "Rate limit: at most 5 % answered 429",
      `${pct(r.rateLimitedShare)} (${r.rateLimited} of ${r.requests})`,
      met(r.rateLimitedShare <= 0.05),
    ]);
  }
  const c = byId.scale?.figures;
  if (c) {
    for (const [name, time, rss, exit] of [
      ["validate", c.validateMs, c.validateMaxRssKb, c.validateExit],
      ["offline plan", c.planMs, c.planMaxRssKb, c.planExit],
    ]) {
      rows.push([
        `Scale: 50,000-entry ${name} under 2 s and 300 MB`,
        `${s(time)}, ${mb(rss)}`,
        met(time < 2000 && rss !== null && rss < 300 * 1024 && exit === 0),
      ]);
    }
  }
  const j = byId.journal?.figures;
  if (j) {
    const status = j.results.find((row) => row.command === "fedmigrate status");
    if (status) {
      rows.push([
        "Journal: `status` on 1,000,000 rows under 1 s",
        s(status.ms),
        met(status.ms < 1000 && status.exit === 0),
      ]);
    }
  }
  const u = byId["start-up"]?.figures;
  if (u) {
    rows.push([
      "Start-up: `--version` under 2 × `node -e 0`",
      `${x(u.ratio, 2)} × (${ms(u.oursMs)} against ${ms(u.bareMs)})`,
      met(u.ratio < 2),
    ]);
  }
  return rows;
}

function table(head, rows) {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

function section(result) {
  const f = result.figures;
  const lines = [`### ${result.title}`, ""];
  if (result.error) {
    lines.push(`Failed: ${result.error}`, "");
    return lines.join("\n");
  }
  switch (result.id) {
    case "throughput":
      lines.push(
        table(
          ["", "wall time", "ideal / wall", "POSTs answered", "peak RSS", "exit"],
          [
            ["ideal ceil(N/c)·L", s(f.idealMs), "1", "", "", ""],
            [
              "fedmigrate migrate",
              s(f.oursMs),
              x(f.oursRatio),
              `${f.oursMigrations} (${f.oursRequests} requests)`,
              mb(f.oursMaxRssKb),
              String(f.oursExit),
            ],
            [
              "xargs -P 16 curl (no journal)",
              s(f.curlMs),
              x(f.curlRatio),
              `${f.curlMigrations}`,
              "",
              String(f.curlExit),
            ],
            [
              "bare Node loop, node:http (reference)",
              s(f.bareMs),
              x(f.bareRatio),
              `${f.bareMigrations}`,
              "",
              String(f.bareExit),
            ],
            ...(f.bareKyMs === undefined
              ? []
              : [
                  [
                    "bare Node loop, ky over fetch (reference)",
                    s(f.bareKyMs),
                    x(f.bareKyRatio),
                    `${f.bareKyMigrations}`,
                    "",
                    String(f.bareKyExit),
                  ],
                ]),
          ],
        ),
        "",
        `fedmigrate's run, from its log: ${ms(f.oursBeforeFirstPostMs)} before the first POST (start-up, manifest, journal, lock, the plan's two round trips of GETs), ${ms(f.oursPostsMs)} of POSTs (ideal / that: ${x(f.idealMs / f.oursPostsMs)}), ${ms(f.oursAfterLastPostMs)} after the last answer. The bare loops send the same POSTs with no journal, plan or checks: over node:http, the least any Node client can do against this simulator on this machine; over ky and fetch (fedmigrate's HTTP stack), the least a client on that stack can do.`,
      );
      break;
    case "rate-limit":
      lines.push(
        table(
          ["", "wall time", "wall / (N/R)", "requests", "answered 429", "peak in flight", "exit"],
          [
            ["N/R", s(f.idealMs), "1", "", "", "", ""],
            [
              "fedmigrate migrate",
              s(f.wallMs),
              x(f.overIdeal),
              String(f.requests),
              `${f.rateLimited} (${pct(f.rateLimitedShare)})`,
              String(f.maxInFlight),
              String(f.exit),
            ],
          ],
        ),
      );
      break;
    case "scale":
      lines.push(
        table(
          ["command", "wall time", "peak RSS", "exit"],
          [
            ["validate", s(f.validateMs), mb(f.validateMaxRssKb), String(f.validateExit)],
            ["plan --offline", s(f.planMs), mb(f.planMaxRssKb), String(f.planExit)],
          ],
        ),
      );
      break;
    case "journal":
      lines.push(
        table(
          ["command", "wall time", "peak RSS", "exit"],
          f.results.map((row) => [`\`${row.command}\``, s(row.ms), mb(row.maxRssKb), String(row.exit)]),
        ),
        "",
        `The journal was generated in ${s(f.generationMs)} (bench/make-journal.mjs: one transaction, the schema's own triggers).${f.writableOpenMs === undefined ? "" : ` Opening it for writing, as migrate and rollback do before their first request, took ${s(f.writableOpenMs)}, almost all of it SQLite's quick_check of every page (the file in the page cache).`}${f.auditMs === undefined ? "" : ` Then the audit migrate and rollback run before their first request took ${s(f.auditMs)} in-process the first time (the whole chain of ${f.chainEntries.toLocaleString("en")} entries, ${f.auditOk ? "clean" : "NOT clean"}) and ${s(f.checkpointAuditMs)} the next time (from the checkpoint the first stored, and the item_latest check).`}`,
      );
      break;
    case "start-up":
      lines.push(
        table(
          ["command", `median of ${f.runs}`],
          [
            ["fedmigrate --version", ms(f.oursMs)],
            ["node -e 0", ms(f.bareMs)],
            ["ratio", `${x(f.ratio, 2)} ×`],
          ],
        ),
      );
      break;
    default:
      lines.push("```json", JSON.stringify(f, null, 2), "```");
  }
  lines.push("", "Commands:", "", ...result.commands.map((c) => `- \`${c}\``), "");
  return lines.join("\n");
}

/** The whole of RESULTS.md. */
export function renderResults({ results, machine, command, startedAt, totalMs, notes = [] }) {
  const byId = Object.fromEntries(results.map((result) => [result.id, result]));
  return [
    "# fedmigrate benchmark results",
    "",
    `Measured ${startedAt} with \`${command}\` (${s(totalMs)} in all). Figures, not tests: a benchmark never fails a run, and CI does not run it. See bench/README.md for what each scenario does.`,
    "",
    "## Goals (issue 7)",
    "",
    table(["goal", "figure", ""], goalsOf(byId)),
    "",
    "## Scenarios",
    "",
    ...results.map(section),
    "## Machine",
    "",
    table(
      ["", ""],
      [
        ["CPU", `${machine.cpuCount} × ${machine.cpuModel}`],
        ["memory", `${machine.memoryGb} GB`],
        ["OS", machine.os],
        ["Node", machine.node],
        ["load average (1 min) at start / end", `${machine.loadStart} / ${machine.loadEnd}`],
        ["build", machine.build],
      ],
    ),
    "",
    ...notes,
  ].join("\n");
}
