import { type Dispatcher, EnvHttpProxyAgent, setGlobalDispatcher } from "undici";
import { UsageError } from "../errors.js";
import { proxyVariables } from "./proxy-variables.js";

/** What `installProxyFromEnv` set up, for `doctor` and logs. Proxy credentials are masked. */
export interface ProxySetup {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string;
}

/** Loopback never goes through a proxy: the simulator runs there, and a proxy cannot reach it. */
const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Routes global `fetch` through the proxy named by HTTPS_PROXY / HTTP_PROXY (either case;
 * lower case wins, as in curl and undici), honouring NO_PROXY. The Domo client keeps calling
 * global `fetch`, so this applies to it (and nock still intercepts it in tests).
 * Returns undefined, installing nothing, when no proxy variable is set.
 *
 * Custom CA certificates need nothing here: Node itself reads NODE_EXTRA_CA_CERTS at start-up
 * and trusts those certificates for every TLS connection, this dispatcher's included.
 */
export function installProxyFromEnv(
  env: NodeJS.ProcessEnv,
  install: (dispatcher: Dispatcher) => void = setGlobalDispatcher,
): ProxySetup | undefined {
  const { httpProxy, httpsProxy, noProxy: given = "" } = proxyVariables(env);
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;

  for (const [name, value] of [
    ["HTTP_PROXY", httpProxy],
    ["HTTPS_PROXY", httpsProxy],
  ] as const) {
    if (value !== undefined && !isProxyUrl(value)) {
      throw new UsageError(`${name} is not a URL (${maskCredentials(value)})`, {
        hint: `Write it with its scheme, e.g. ${name}=http://proxy.example.com:3128, or unset it.`,
      });
    }
  }

  // "*" means "never proxy" only when it stands alone, so it is left as it is.
  const noProxy = given.trim() === "*" ? "*" : [given, ...LOOPBACK].filter((entry) => entry !== "").join(",");
  install(
    new EnvHttpProxyAgent({
      // Passed explicitly so that `env` (not process.env) decides; an unset one means direct.
      httpProxy: httpProxy ?? "",
      httpsProxy: httpsProxy ?? httpProxy ?? "",
      noProxy,
    }),
  );
  return {
    httpProxy: maskCredentials(httpProxy),
    httpsProxy: maskCredentials(httpsProxy ?? httpProxy),
    noProxy,
  };
}

/** undici takes only http(s) URLs; `proxy.corp:3128` parses as a URL of scheme `proxy.corp:`. */
function isProxyUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

function maskCredentials(proxy: string | undefined): string | undefined {
  if (proxy === undefined) return undefined;
  try {
    const url = new URL(proxy);
    if (url.username || url.password) {
      url.username = "***";
      url.password = "";
    }
    return url.href;
  } catch {
    return "(not a URL)";
  }
}
