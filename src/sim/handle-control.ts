import type { IncomingMessage, ServerResponse } from "node:http";
import type { FixtureBehaviour } from "./fixture.js";
import { FixtureError } from "./fixture-error.js";
import { checkControlRequest } from "./request-guard.js";
import { errorJson, readBody, sendJsonRaw } from "./sim-http.js";
import type { RequestLogEntry, SimDatasourceState, SimStats } from "./types.js";

/** The simulator's own endpoints (stats, state, configuration): no token, outside the API. */
export const CONTROL_PREFIX = "/_sim/";

/** What the control endpoints read and change. */
export interface ControlTarget {
  stats(): SimStats;
  resetStats(): void;
  datasources(): Iterable<SimDatasourceState>;
  requests(): readonly RequestLogEntry[];
  update(behaviour: FixtureBehaviour): void;
}

/**
 * `GET /_sim/stats|state|requests`, `POST /_sim/reset-stats|configure` (JSON only, no foreign
 * `Origin`: see `checkControlRequest`).
 */
export async function handleControl(
  target: ControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ownHosts: ReadonlySet<string>,
): Promise<void> {
  const body = await readBody(req);
  const refusal = checkControlRequest(req, ownHosts);
  if (refusal) {
    sendJsonRaw(res, refusal.status, errorJson(refusal.status, refusal.message, null));
    return;
  }
  const route = `${req.method} ${path}`;
  switch (route) {
    case "GET /_sim/stats":
      sendJsonRaw(res, 200, target.stats());
      return;
    case "POST /_sim/reset-stats":
      target.resetStats();
      sendJsonRaw(res, 200, target.stats());
      return;
    case "GET /_sim/state":
      sendJsonRaw(res, 200, [...target.datasources()]);
      return;
    case "GET /_sim/requests":
      sendJsonRaw(res, 200, target.requests());
      return;
    case "POST /_sim/configure": {
      let behaviour: unknown;
      try {
        behaviour = JSON.parse(body?.text ?? "");
      } catch {
        sendJsonRaw(res, 400, errorJson(400, "The body must be JSON.", null));
        return;
      }
      try {
        target.update(behaviour as FixtureBehaviour);
      } catch (error) {
        if (!(error instanceof FixtureError)) throw error;
        sendJsonRaw(res, 400, { status: 400, message: error.message, issues: error.issues });
        return;
      }
      sendJsonRaw(res, 200, { ok: true });
      return;
    }
    default:
      sendJsonRaw(res, 404, errorJson(404, `No simulator endpoint at ${route}`, null));
  }
}
