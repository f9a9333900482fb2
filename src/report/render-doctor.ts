import type { DoctorReport } from "../doctor/doctor-report.js";
import { plural } from "./plural.js";

/** The report as text: a line per check, its hint under it, the inventory as a tree. */
export function renderDoctor(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines: string[] = [];
  for (const check of report.checks) {
    const status = check.status === "fail" ? "FAIL" : check.status;
    lines.push(`${status.padEnd(5)} ${check.name.padEnd(width)}  ${check.message}`);
    const indent = " ".repeat(6 + width + 2);
    if (check.hint) lines.push(`${indent}→ ${check.hint}`);
    if (check.name === "inventory") {
      for (const { type, accounts } of report.types) {
        lines.push(`${indent}${type}: ${accounts.length === 0 ? "no accounts" : ""}`.trimEnd());
        for (const account of accounts) {
          lines.push(
            `${indent}  account ${JSON.stringify(account.id)} ${oneLine(account.name)}: ${plural(account.candidates, "candidate", "candidates")} (${account.unmigrated} not migrated, ${account.migrated} migrated)`,
          );
        }
      }
    }
  }
  const failed = report.checks.filter((check) => check.status === "fail").length;
  const warned = report.checks.filter((check) => check.status === "warn").length;
  lines.push(
    "",
    failed > 0
      ? `${plural(failed, "check", "checks")} failed: see FAIL above.`
      : warned > 0
        ? `No check failed; ${plural(warned, "warning", "warnings")} above.`
        : "All checks passed.",
  );
  return `${lines.join("\n")}\n`;
}

function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, " ");
}
