import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { UsageError } from "../errors.js";
import { parseFixture } from "./fixture.js";
import { ownHosts } from "./request-guard.js";
import { SimEngine } from "./sim-engine.js";
import type { Simulator, StartSimulatorOptions } from "./types.js";

/** The simulator answers a fake token and no real data: it listens on loopback only. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

/** How long `close()` lets requests in flight end before cutting their connections. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Serves the simulated Domo migration API (SPEC section 7) on loopback; resolves once listening.
 * The fixture is checked first (a `FixtureError` lists every issue).
 */
export async function startSimulator(options: StartSimulatorOptions): Promise<Simulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new UsageError(`the simulator listens on loopback only, not on "${host}"`, {
      hint: "Use 127.0.0.1 (the default), ::1 or localhost.",
    });
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`the simulator's port must be an integer from 0 to 65535, got ${port}`);
  }
  const checked = parseFixture(options.fixture);
  const fixture = options.seed === undefined ? checked : { ...checked, seed: options.seed };
  const engine = new SimEngine(fixture, { requestLogPath: options.requestLogPath, now: options.now });

  const server = createServer((req, res) => engine.handle(req, res));
  // A client that keeps a connection open must not stretch the life of a test; 5 s as Node's default.
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    engine.requests.log.close();
    throw new UsageError(
      `the simulator cannot listen on ${host}:${port}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      { cause: error, hint: "Pick another --port, or 0 for a free one." },
    );
  }
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  const hosts = ownHosts(address.address, address.family, address.port);
  engine.listeningAs(hosts);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      engine.requests.releaseAll();
      // Requests in flight end as decided (a migration under way completes); then every
      // connection goes, idle keep-alive ones included.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        engine.requests.drained(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, CLOSE_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      server.closeAllConnections();
      await stopped;
      engine.requests.log.close();
    })();
    return closing;
  };

  return {
    url,
    port: address.port,
    hosts,
    fixture: () => engine.fixture(),
    stats: () => engine.requests.stats(),
    resetStats: () => engine.requests.resetStats(),
    log: () => engine.requests.log.entries(),
    state: () => engine.state.datasources,
    update: (behaviour) => engine.update(behaviour),
    hold: () => engine.requests.hold(),
    onRequestStart: (listener) => engine.requests.onRequestStart(listener),
    onRequestEnd: (listener) => engine.requests.onRequestEnd(listener),
    onClientGone: (listener) => engine.requests.onClientGone(listener),
    close,
  };
}
