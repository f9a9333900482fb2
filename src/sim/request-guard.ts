import type { IncomingMessage } from "node:http";

/**
 * The `Host` header values the simulator answers: its own address and port, and `localhost` with
 * that port (a name no web page can rebind). Lower case.
 */
export function ownHosts(address: string, family: string, port: number): ReadonlySet<string> {
  const literal = family === "IPv6" ? `[${address}]` : address;
  return new Set([`${literal}:${port}`.toLowerCase(), `localhost:${port}`]);
}

/** A refusal: the status and the message of the JSON error body. */
export interface Refusal {
  status: number;
  message: string;
}

/**
 * DNS rebinding: a web page whose name now resolves to 127.0.0.1 reaches the simulator with its
 * own name in `Host`. Any request not addressed to the simulator's own address is refused (421).
 */
export function checkHost(req: IncomingMessage, own: ReadonlySet<string>): Refusal | undefined {
  const host = req.headers.host?.toLowerCase();
  if (host !== undefined && own.has(host)) return undefined;
  return {
    status: 421,
    message: `This simulator answers only requests addressed to ${[...own].join(" or ")}; the Host header was ${host === undefined ? "missing" : JSON.stringify(host)}.`,
  };
}

/**
 * The control endpoints (`/_sim/…`) change what the simulator does: a web page must not reach
 * them. A browser sends `Origin` (and `Sec-Fetch-Site`) with a cross-origin request, and can send
 * a POST without a preflight only as `text/plain`, a form or no body: so a POST must be
 * `application/json`, and any foreign `Origin` is refused.
 */
export function checkControlRequest(req: IncomingMessage, own: ReadonlySet<string>): Refusal | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined && !own.has(originHost(origin))) {
    return {
      status: 403,
      message: `The simulator's control endpoints refuse requests from another origin (${JSON.stringify(origin)}).`,
    };
  }
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") {
    return { status: 403, message: `The simulator's control endpoints refuse ${site} requests.` };
  }
  if (req.method === "POST") {
    const type = (req.headers["content-type"] ?? "").split(";", 1)[0]?.trim().toLowerCase();
    if (type !== "application/json") {
      return {
        status: 415,
        message: `The simulator's control endpoints take only content-type: application/json (got ${JSON.stringify(req.headers["content-type"] ?? "none")}).`,
      };
    }
  }
  return undefined;
}

/** `http://127.0.0.1:8787` → `127.0.0.1:8787`; anything else (`null`, https, a path) matches no own host. */
function originHost(origin: string): string {
  const match = /^http:\/\/([^/]+)$/i.exec(origin.trim());
  return match?.[1]?.toLowerCase() ?? "";
}
