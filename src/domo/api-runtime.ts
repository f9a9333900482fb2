import type { Logger } from "pino";
import { type ResolvedConfig, requireDomain, requireToken } from "../config/resolve-config.js";
import type { RetryRunner } from "../run/execute-items.js";
import type { DomoApi } from "./types.js";

/** How patient the client is: its retries after transient failures and each request's timeout. */
export interface HttpOptions {
  /** Retries after a transient failure (default 5). */
  retries?: number | undefined;
  /** Seconds before a request is given up (default 300). */
  timeout?: number | undefined;
}

export interface ApiRuntime {
  api: DomoApi;
  retry: RetryRunner;
  domainKey: string;
  /** Told of each retry after a transient failure (the progress bar counts them). */
  retries: { listener: (() => void) | undefined; count: number };
}

/** The API client, its retry policy and the run's shared rate gate, from the configuration. */
export async function apiRuntime(
  config: ResolvedConfig,
  args: HttpOptions,
  /** Where retries and requests are logged (default: nowhere). */
  logger?: Logger | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ApiRuntime> {
  const domain = requireDomain(config);
  const token = requireToken(config);
  const { proxyVariables } = await import("./proxy-variables.js");
  const { httpProxy, httpsProxy } = proxyVariables(env);
  const [{ createDomoClient }, { RateGate }, { createRetryPolicy }, proxyModule] = await Promise.all([
    import("./create-domo-client.js"),
    import("./rate-gate.js"),
    import("./retry-policy.js"),
    // undici (the proxy dispatcher) takes longer to load than the rest together: only when needed.
    httpProxy !== undefined || httpsProxy !== undefined ? import("./install-proxy.js") : undefined,
  ]);
  const proxy = proxyModule?.installProxyFromEnv(env);
  if (proxy) logger?.debug({ event: "proxy", proxy }, "using the proxy from the environment");
  const api = createDomoClient({
    baseUrl: domain.baseUrl,
    token,
    timeoutMs: (args.timeout ?? 300) * 1000,
    logger,
  });
  const gate = new RateGate({ now: Date.now });
  // Tests and rehearsals shorten the backoff; production keeps the default.
  const minDelayMs = Number(env.FEDMIGRATE_RETRY_MIN_MS ?? 500);
  const retries: ApiRuntime["retries"] = { listener: undefined, count: 0 };
  const retry = createRetryPolicy({
    retries: args.retries ?? 5,
    minDelayMs: Number.isFinite(minDelayMs) ? minDelayMs : 500,
    maxDelayMs: 30_000,
    gate,
    // A retry is routine (the bar and the summary count them): said at info, not as a warning.
    // A request that still fails after its retries is its entry's failure, logged at error.
    onRetry: ({ attempt, error, delayMs }) => {
      retries.count += 1;
      retries.listener?.();
      logger?.info(
        { event: "http.retry", attempt, kind: error.kind, status: error.status, delayMs },
        `retrying after ${error.message}`,
      );
    },
  });
  return { api, retry, domainKey: domain.key, retries };
}
