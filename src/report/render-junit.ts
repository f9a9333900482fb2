import type { RunReport } from "./run-report.js";
import { isFailureOutcome } from "./run-report.js";
import { terminalSafe } from "./terminal-safe.js";

type Item = RunReport["items"][number];

/**
 * Text as XML character data or an attribute value, whatever it holds: markup characters are
 * escaped (no CDATA section, so a `]]>` in a server's message ends nothing), control characters
 * are shown as escapes (`\x1b`; XML 1.0 cannot even hold most of them) and so is any character
 * XML forbids (a lone surrogate, U+FFFE/FFFF). In an attribute a line break is kept as `&#10;`.
 */
function escapeXml(text: string, { attribute = false } = {}): string {
  const safe = terminalSafe(text).replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g,
    (char) => `\\u${(char.codePointAt(0) as number).toString(16)}`,
  );
  const escaped = safe
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
  return attribute ? escaped.replace(/\n/g, "&#10;").replace(/\t/g, "&#9;") : escaped;
}

/** Seconds as the schemas want them: digits, one point, at most three decimals. */
function seconds(ms: number | null | undefined): string {
  const value = Math.max(0, ms ?? 0) / 1000;
  return Number.isFinite(value) ? value.toFixed(3) : "0.000";
}

function attributes(pairs: [string, string][]): string {
  return pairs.map(([name, value]) => ` ${name}="${escapeXml(value, { attribute: true })}"`).join("");
}

/**
 * The one line several CI servers show (Jenkins' test list, GitLab's): what happened, the `toe`
 * Domo support asks for, and the errorMessage once (the reason often quotes it already).
 */
function failureMessage(item: Item): string {
  const parts = [`${item.outcome}: ${item.reason}`];
  if (item.toe) parts.push(`toe ${item.toe}`);
  if (item.errorMessage && !item.reason.includes(item.errorMessage)) parts.push(item.errorMessage);
  return parts.join(" | ").replace(/\s*\n\s*/g, " / ");
}

function details(item: Item): string {
  return [
    `outcome: ${item.outcome}`,
    `state: ${item.state ?? "-"}`,
    `toe: ${item.toe ?? "-"}`,
    `errorMessage: ${item.errorMessage ?? "-"}`,
    `target: ${item.catalog}.${item.schema}.${item.table} on account ${item.account}`,
    `attempts: ${item.attempts}`,
    `reason: ${item.reason}`,
  ].join("\n");
}

/**
 * JUnit XML, one test case per entry: CI servers show a failed migration as a failed test, with
 * its state, `toe` and `errorMessage`; skipped and held entries are skipped tests that say why.
 *
 * One `<testsuite>` as the root, in the shape every schema CI plugins use accepts: Jenkins
 * xunit's junit-10.xsd, Maven Surefire's surefire-test-report(-3.0).xsd (no `timestamp`, counts
 * and `time` on the suite, `type` on each failure, elements in Surefire's order) and the
 * Ant shape GitLab and GitHub actions read (test/report/junit.test.ts validates against each).
 * The run's start time is a property. Every text is escaped, never put in CDATA.
 */
export function renderJunit(report: RunReport): string {
  const failures = report.items.filter((item) => isFailureOutcome(item.outcome)).length;
  const skipped = report.items.filter((item) => item.outcome === "skipped" || item.outcome === "held").length;
  const properties: [string, string][] = [];
  if (report.runId) properties.push(["runId", report.runId]);
  properties.push(["startedAt", report.startedAt], ["success", String(report.success)]);
  // The journal's hash-chain head after the run, to check a copy of the journal against later.
  if (report.journalHead) {
    properties.push(
      ["journalHeadSeq", String(report.journalHead.seq)],
      ["journalHeadHash", report.journalHead.hash],
    );
  }
  // What stopped the run as a whole (the journal, the token, the API), for a CI reader.
  if (report.error) {
    properties.push(["errorCode", report.error.code], ["errorMessage", report.error.message]);
    if (report.error.hint) properties.push(["errorHint", report.error.hint]);
  }

  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite${attributes([
      ["name", `fedmigrate ${report.command} ${report.domain}`],
      ["tests", String(report.items.length)],
      ["failures", String(failures)],
      ["errors", "0"],
      ["skipped", String(skipped)],
      ["time", seconds(report.durationMs)],
    ])}>`,
    "  <properties>",
    ...properties.map(
      ([name, value]) =>
        `    <property${attributes([
          ["name", name],
          ["value", value],
        ])}/>`,
    ),
    "  </properties>",
  ];
  for (const item of report.items) {
    lines.push(
      `  <testcase${attributes([
        ["name", `${item.datasource}${item.name ? ` (${item.name})` : ""}`],
        ["classname", `fedmigrate.${report.command}.${item.account}`],
        ["time", seconds(item.durationMs)],
      ])}>`,
    );
    if (isFailureOutcome(item.outcome)) {
      lines.push(
        `    <failure${attributes([
          ["message", failureMessage(item)],
          ["type", item.state ?? item.outcome],
        ])}>${escapeXml(details(item))}</failure>`,
      );
    } else if (item.outcome === "skipped" || item.outcome === "held") {
      lines.push(`    <skipped${attributes([["message", `${item.outcome}: ${item.reason}`]])}/>`);
    }
    lines.push(`    <system-out>${escapeXml(details(item))}</system-out>`, "  </testcase>");
  }
  lines.push("</testsuite>", "");
  return lines.join("\n");
}
