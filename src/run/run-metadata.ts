import { randomBytes } from "node:crypto";
import os from "node:os";

/** Who and where a run is: recorded with every run. */
export interface RunMetadata {
  user: string;
  host: string;
  pid: number;
  ciJobUrl: string | null;
}

export function runMetadata(env: NodeJS.ProcessEnv): RunMetadata {
  let user = env.USER ?? env.USERNAME ?? "";
  if (!user) {
    try {
      user = os.userInfo().username;
    } catch {
      user = "unknown";
    }
  }
  return { user, host: os.hostname(), pid: process.pid, ciJobUrl: ciJobUrl(env) };
}

/** The CI job's URL where a known CI system sets one. */
function ciJobUrl(env: NodeJS.ProcessEnv): string | null {
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return env.CI_JOB_URL ?? env.BUILD_URL ?? env.CIRCLE_BUILD_URL ?? env.BUILDKITE_BUILD_URL ?? null;
}

/** A run id that sorts by time and reads well: `r-20261128T013500Z-3f9a1c`. */
export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return `r-${stamp}-${randomBytes(3).toString("hex")}`;
}
