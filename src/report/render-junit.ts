import junitModule, { type Builder } from "junit-report-builder";
import type { RunReport } from "./run-report.js";
import { isFailureOutcome } from "./run-report.js";

/**
 * JUnit XML, one test case per entry: CI servers show a failed migration as a failed test, with
 * its state, `toe` and `errorMessage`. Skipped and held entries are skipped tests.
 */
// A CommonJS package: at run time the import is the builder itself, while its types claim an
// ES default export; accept both.
const junit: Builder =
  (junitModule as unknown as { default?: Builder }).default ?? (junitModule as unknown as Builder);

function failureMessage(item: RunReport["items"][number]): string {
  const parts = [`${item.outcome}: ${item.reason}`];
  if (item.toe) parts.push(`toe ${item.toe}`);
  if (item.errorMessage) parts.push(item.errorMessage.replace(/\s*\n\s*/g, " / "));
  return parts.join(" | ");
}

export function renderJunit(report: RunReport): string {
  const builder = junit.newBuilder();
  const suite = builder
    .testSuite()
    .name(`fedmigrate ${report.command} ${report.domain}`)
    .timestamp(report.startedAt)
    .time(report.durationMs / 1000);
  if (report.runId) suite.property("runId", report.runId);
  suite.property("success", String(report.success));
  // The journal's hash-chain head after the run, to check a copy of the journal against later.
  if (report.journalHead) {
    suite.property("journalHeadSeq", String(report.journalHead.seq));
    suite.property("journalHeadHash", report.journalHead.hash);
  }
  // What stopped the run as a whole (the journal, the token, the API), for a CI reader.
  if (report.error) {
    suite.property("errorCode", report.error.code);
    suite.property("errorMessage", report.error.message);
    if (report.error.hint) suite.property("errorHint", report.error.hint);
  }
  for (const item of report.items) {
    const test = suite
      .testCase()
      .className(`fedmigrate.${report.command}.${item.account}`)
      .name(`${item.datasource}${item.name ? ` (${item.name})` : ""}`)
      .time((item.durationMs ?? 0) / 1000);
    const details = [
      `outcome: ${item.outcome}`,
      `state: ${item.state ?? "-"}`,
      `toe: ${item.toe ?? "-"}`,
      `errorMessage: ${item.errorMessage ?? "-"}`,
      `target: ${item.catalog}.${item.schema}.${item.table} on account ${item.account}`,
      `attempts: ${item.attempts}`,
      `reason: ${item.reason}`,
    ].join("\n");
    if (isFailureOutcome(item.outcome)) {
      // Several CI servers list only the message attribute, so it carries what Domo support
      // asks for (state, toe, errorMessage) on one line; the element's text has it all.
      test.failure(failureMessage(item), item.state ?? item.outcome);
      test.stacktrace(details);
      test.standardOutput(details);
    } else if (item.outcome === "skipped" || item.outcome === "held") {
      test.skipped();
      test.standardOutput(details);
    } else {
      test.standardOutput(details);
    }
  }
  return builder.build();
}
