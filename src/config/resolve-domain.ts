import { isLoopbackHost } from "../domo/is-loopback-host.js";
import { UsageError } from "../errors.js";

/** Where the migration API lives, under Domo's own prefix (SPEC section 1). */
const API_PATH = "/api/query/migration/federated/v1/to/v2";

/** Domo's public suffix: a bare instance name (`acme`) means `acme.domo.com`. */
const DOMO_SUFFIX = ".domo.com";

/** A Domo instance, resolved from what the operator wrote. */
export interface DomainInfo {
  /** Scheme, host and non-default port: "https://acme.domo.com" or "http://127.0.0.1:8123". */
  origin: string;
  /** host[:port], lowercased, default ports omitted: how the journal keys items by instance. */
  key: string;
  /** `origin` + "/api/query/migration/federated/v1/to/v2". */
  baseUrl: string;
  /** A Domo instance (`*.domo.com`) or this machine (loopback): where a manifest may send the token. */
  trusted: boolean;
}

const EXAMPLE = "write it as acme, acme.domo.com or https://acme.domo.com";

/**
 * Resolves a domain as written by the operator (SPEC section 2): no scheme means https; a bare
 * name without a dot means `<name>.domo.com`; plain http only for loopback (the simulator), since
 * the developer token would otherwise travel in clear. Throws `UsageError`.
 *
 * Messages quote the host only, never the whole input: a pasted URL may carry credentials or a
 * query with a secret in it.
 */
export function resolveDomain(raw: string): DomainInfo {
  const text = raw.trim();
  if (text === "") throw new UsageError("the Domo domain is empty", { hint: EXAMPLE });
  const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch (error) {
    throw new UsageError("the Domo domain is not a valid host name", { cause: error, hint: EXAMPLE });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`the Domo domain has the scheme ${url.protocol.slice(0, -1)}; only https is used`, {
      hint: EXAMPLE,
    });
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError("the Domo domain must not contain credentials", {
      hint: `${EXAMPLE}; the token goes in DOMO_DEVELOPER_TOKEN or --token-file`,
    });
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw new UsageError(`the Domo domain ${url.host} must be a host only, without a path or query`, {
      hint: EXAMPLE,
    });
  }
  if (url.hostname === "") throw new UsageError("the Domo domain has no host name", { hint: EXAMPLE });
  const loopback = isLoopbackHost(url.hostname);
  if (!loopback && !url.hostname.includes(".") && !url.hostname.startsWith("[")) {
    url.hostname = `${url.hostname}${DOMO_SUFFIX}`;
  }
  if (url.protocol === "http:" && !loopback) {
    throw new UsageError(`refusing http://${url.host}: the developer token would travel in clear`, {
      hint: `use https://${url.host} (plain http is only for the simulator on 127.0.0.1 or localhost)`,
    });
  }
  const trusted = loopback || url.hostname.endsWith(DOMO_SUFFIX);
  return { origin: url.origin, key: url.host, baseUrl: `${url.origin}${API_PATH}`, trusted };
}
