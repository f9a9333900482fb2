/**
 * fedmigrate's programmatic API: what the CLI does, for a Node script. Load the manifests,
 * resolve the configuration, build the API runtime, then `migrate` or `rollback`; each returns
 * the run's report (the document `--json` prints) and never exits the process.
 *
 * ```ts
 * import { apiRuntime, loadManifests, migrate, resolveConfig } from "fedmigrate";
 * const manifests = await loadManifests(["migrations.yaml"], process.cwd());
 * const config = resolveConfig({ flags: {}, env: process.env, manifest: manifests, cwd: process.cwd() });
 * const runtime = await apiRuntime(config, { retries: 5 });
 * const report = await migrate(manifests, { domain: runtime.domainKey, journalPath: config.journalPath }, runtime);
 * ```
 */
export { type ConfigInput, type ResolvedConfig, resolveConfig } from "./config/resolve-config.js";
export { type ApiRuntime, apiRuntime, type HttpOptions } from "./domo/api-runtime.js";
export type { DomoApi } from "./domo/types.js";
export { type ErrorCode, FedmigrateError, UsageError } from "./errors.js";
export { ExitCode, type ExitCodeValue, exitCodeFor } from "./exit-codes.js";
export { createLogger, type LoggerOptions } from "./logger.js";
export { loadManifests } from "./manifest/load-manifests.js";
export type { LoadedManifests, ManifestEntry } from "./manifest/types.js";
export { hasScope, type RollbackScope } from "./plan/build-rollback-plan.js";
export type { Progress } from "./report/progress-bar.js";
export type { RunError, RunReport } from "./report/run-report.js";
export { type MigrateOptions, migrate, type RunPorts, selectEntries } from "./run/migrate.js";
export { type RollbackOptions, rollback } from "./run/rollback.js";
export { type RunMetadata, runMetadata } from "./run/run-metadata.js";
export { StopController } from "./run/stop-controller.js";
export type { ItemOutcome, Outcome, StopReason } from "./run/types.js";
