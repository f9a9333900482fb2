/** The proxy variables of the environment, as `installProxyFromEnv` reads them. */
export interface ProxyVariables {
  /** HTTP_PROXY (or http_proxy), trimmed; undefined when unset or blank. */
  httpProxy: string | undefined;
  /** HTTPS_PROXY (or https_proxy), trimmed; undefined when unset or blank. */
  httpsProxy: string | undefined;
  /** NO_PROXY (or no_proxy), trimmed; undefined when unset or blank. */
  noProxy: string | undefined;
}

/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY in either case, lower case winning as in curl and undici. Apart from
 * `install-proxy.ts` so that a run without a proxy never loads undici (about 80 ms of start-up
 * before the first request): `apiRuntime` asks this first.
 */
export function proxyVariables(env: NodeJS.ProcessEnv): ProxyVariables {
  return {
    httpProxy: nonEmpty(env.http_proxy) ?? nonEmpty(env.HTTP_PROXY),
    httpsProxy: nonEmpty(env.https_proxy) ?? nonEmpty(env.HTTPS_PROXY),
    noProxy: nonEmpty(env.no_proxy) ?? nonEmpty(env.NO_PROXY),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
