import { Agent, type Dispatcher, EnvHttpProxyAgent, setGlobalDispatcher } from "undici";
import { UsageError } from "../errors.js";
import { isLoopbackHost } from "./is-loopback-host.js";
import { proxyVariables } from "./proxy-variables.js";

/** What `installProxyFromEnv` set up, for `doctor` and logs. Proxy credentials are masked. */
export interface ProxySetup {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string;
}

/**
 * Loopback never goes through a proxy: the simulator runs there, a proxy cannot reach it, and the
 * token would cross the proxy in clear over plain http. NO_PROXY lists these for the proxy
 * agent; the interceptor below sends every loopback address (all of 127.0.0.0/8, which
 * NO_PROXY cannot express) directly, whatever NO_PROXY says.
 */
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
    const problem = value === undefined ? undefined : proxyUrlProblem(value);
    if (problem !== undefined) {
      throw new UsageError(`${name} ${problem} (${maskCredentials(value)})`, {
        hint: `Write it as a scheme, a host and a port, e.g. ${name}=http://proxy.example.com:3128, or unset it.`,
      });
    }
  }

  // "*" means "never proxy" only when it stands alone, so it is left as it is.
  const noProxy = given.trim() === "*" ? "*" : [given, ...LOOPBACK].filter((entry) => entry !== "").join(",");
  let proxied: EnvHttpProxyAgent;
  try {
    proxied = new EnvHttpProxyAgent({
      // Passed explicitly so that `env` (not process.env) decides; an unset one means direct.
      httpProxy: httpProxy ?? "",
      httpsProxy: httpsProxy ?? httpProxy ?? "",
      noProxy,
    });
  } catch (error) {
    throw new UsageError(
      `the proxy settings are not usable (${maskCredentials(httpsProxy ?? httpProxy)}): ${(error as Error).message}`,
      { cause: error, hint: "Check HTTPS_PROXY / HTTP_PROXY, or unset them." },
    );
  }
  const direct = new Agent();
  install(
    proxied.compose(
      (dispatch) => (options, handler) =>
        isLoopbackOrigin(options.origin) ? direct.dispatch(options, handler) : dispatch(options, handler),
    ),
  );
  return {
    httpProxy: maskCredentials(httpProxy),
    httpsProxy: maskCredentials(httpsProxy ?? httpProxy),
    noProxy,
  };
}

/** The host of a request's origin, when it is loopback. */
function isLoopbackOrigin(origin: string | URL | undefined): boolean {
  if (origin === undefined) return false;
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/**
 * Why a proxy variable cannot be used, or undefined. undici takes only http(s) URLs of a host and
 * a port: `proxy.corp:3128` parses as a URL of scheme `proxy.corp:`, and a path makes undici
 * throw deep inside a request.
 */
function proxyUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    return "is not a URL with an http:// or https:// scheme";
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    return "has a path, a query or a fragment: a proxy is a host and a port";
  }
  return undefined;
}

/**
 * A proxy setting fit to print, whatever its shape: anything before the last `@` (user and
 * password, with or without a scheme: `user:pw@proxy:3128`) is masked; the scheme is kept.
 */
export function maskCredentials(proxy: string | undefined): string | undefined {
  if (proxy === undefined) return undefined;
  try {
    const url = new URL(proxy);
    if (url.protocol === "http:" || url.protocol === "https:") {
      if (url.username || url.password) {
        url.username = "***";
        url.password = "";
      }
      return url.href;
    }
  } catch {
    // Not a URL: masked as text below.
  }
  const at = proxy.lastIndexOf("@");
  if (at < 0) return proxy;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(proxy)?.[0] ?? "";
  return `${scheme}***@${proxy.slice(at + 1)}`;
}
