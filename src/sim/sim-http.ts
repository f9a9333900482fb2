import type { IncomingMessage, ServerResponse } from "node:http";

/** Every answer of the simulator carries this header (value "1"), so a client can tell it is not Domo. */
export { SIMULATOR_HEADER } from "../domo/types.js";

/** The largest request body read; the rest is drained (a migrate answered 413). */
export const MAX_BODY_BYTES = 1024 * 1024;

export const JSON_TYPE = "application/json;charset=UTF-8";

const STATUS_REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  421: "Misdirected Request",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** nginx-style pages, as a load balancer in front of Domo answers. */
const GATEWAY_TITLES: Record<number, string> = {
  500: "500 Internal Server Error",
  502: "502 Bad Gateway",
  503: "503 Service Temporarily Unavailable",
  504: "504 Gateway Time-out",
};

export const MAINTENANCE_PAGE = [
  "<!DOCTYPE html>",
  "<html><head><title>Domo is down for scheduled maintenance</title></head>",
  "<body><h1>We'll be back soon</h1><p>Domo is undergoing scheduled maintenance. Please try again later.</p></body>",
  "</html>",
  "",
].join("\n");

/** Domo's JSON error body. */
export interface ErrorBody {
  status: number;
  statusReason: string;
  message: string;
  toe: string | null;
}

/** A request body as read: the text up to the cap. */
export interface Body {
  text: string;
  tooLarge: boolean;
}

/** Domo's JSON error shape: `{status, statusReason, message, toe}`. */
export function errorJson(status: number, message: string, toe: string | null): ErrorBody {
  return { status, statusReason: STATUS_REASONS[status] ?? "Error", message, toe };
}

/** The HTML page a gateway answers a 5xx with. */
export function gatewayPage(status: number): string {
  const title = GATEWAY_TITLES[status] ?? String(status);
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

export function sendRaw(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendJsonRaw(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, JSON_TYPE, JSON.stringify(body));
}

/** Reads the body (kept up to the cap, the rest drained); undefined when the client went away. */
export function readBody(req: IncomingMessage): Promise<Body | undefined> {
  if (req.readableEnded) return Promise.resolve({ text: "", tooLarge: false });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once("end", () =>
      resolve({ text: Buffer.concat(chunks).toString("utf8"), tooLarge: size > MAX_BODY_BYTES }),
    );
    req.once("error", () => resolve(undefined));
    req.once("close", () => {
      if (!req.readableEnded) resolve(undefined);
    });
  });
}
