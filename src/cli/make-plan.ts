import { requireDomain } from "../config/resolve-config.js";
import { apiRuntime } from "../domo/api-runtime.js";
import { readHistories } from "../journal/read-histories.js";
import type { ItemHistory } from "../journal/types.js";
import type { LoadedManifests } from "../manifest/load-manifests.js";
import { buildPlan } from "../plan/build-plan.js";
import { journalStateHash, type SavedPlan, toSavedPlan } from "../plan/saved-plan.js";
import type { Plan, ServerState } from "../plan/types.js";
import type { PlanArgs } from "./commands/plan.js";
import type { CliIo } from "./context.js";
import { checkGiven, cliLogger, configFrom, loadManifestArgs } from "./runtime.js";

export interface MadePlan {
  plan: Plan;
  saved: SavedPlan;
  manifests: LoadedManifests;
}

/**
 * `plan`: truly dry. It takes no lock, creates no journal where none exists (a missing journal
 * is an empty history) and sends only GETs (none offline).
 */
export async function makePlan(args: PlanArgs, io: CliIo): Promise<MadePlan> {
  // The same bounds as migrate's: an out-of-range value is a usage error, not a crash later.
  checkGiven("out", args.out);
  const manifests = await loadManifestArgs(args.manifests, io);
  const config = configFrom(args, io, manifests);
  const logger = await cliLogger(args, io, [config.token]);
  // The journal is keyed by instance, so even an offline plan needs to know which one.
  const domainKey = requireDomain(config).key;
  let reading: Promise<ServerState> | undefined;
  const cancel = new AbortController();
  if (!args.offline) {
    const runtime = await apiRuntime(config, args, logger, io.env);
    const { readServerState } = await import("../run/read-server-state.js");
    // The journal is read while the GETs are on their way, not before them.
    reading = readServerState(
      manifests.entries.map((e) => e.account),
      runtime,
      { signal: cancel.signal },
    );
    reading.catch(() => {});
  }
  let histories: Map<string, ItemHistory>;
  try {
    histories = await readHistories(config.journalPath, domainKey, manifests);
  } catch (error) {
    // The journal cannot be read: no answer from the server is needed any more.
    cancel.abort();
    throw error;
  }
  const server = await reading;
  const plan = buildPlan({
    domain: domainKey,
    entries: manifests.entries,
    histories,
    server,
    includeRolledBack: args.includeRolledBack ?? false,
  });
  const saved = toSavedPlan(
    plan,
    manifests.hash,
    journalStateHash(manifests.entries, histories),
    new Date().toISOString(),
  );
  return { plan, saved, manifests };
}
