import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback HTTP proxy in front of the simulator that rewrites the answers of reverse POSTs: the
 * simulator applies every reversal it accepts as COMPLETE, and Domo may answer one INCOMPLETE
 * ("failed after changing the datasource"). `rewrite` decides, per reverse answer, whether it
 * is turned into INCOMPLETE; the change at the server stands either way. `answer` lets it answer
 * a request itself instead (a token revoked in the middle of a run); `replace` lets the request
 * through and then answers something else in place of the simulator's answer (a gateway's 502
 * after Domo applied the change).
 */
export interface RewriteProxy {
  /** `http://127.0.0.1:PORT`, usable as `DOMO_DOMAIN`. */
  url: string;
  /** Reverse answers rewritten so far. */
  rewritten(): number;
  close(): Promise<void>;
}

/** An answer the proxy gives itself, without asking the simulator. */
export interface OwnAnswer {
  status: number;
  contentType: string;
  body: string;
}

export async function startRewriteProxy(
  target: string,
  rewrite: (datasourceId: string) => boolean,
  /** Answers a request itself (by method and path) when this returns an answer. */
  answer: (method: string, path: string) => OwnAnswer | undefined = () => undefined,
  /** Answers this instead of the simulator's answer, once the simulator has handled the request. */
  replace: (method: string, path: string) => OwnAnswer | undefined = () => undefined,
): Promise<RewriteProxy> {
  const upstream = new URL(target);
  let rewritten = 0;
  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on("data", (chunk: Buffer) => body.push(chunk));
    req.on("end", () => {
      const own = answer(req.method ?? "", req.url ?? "");
      if (own) {
        res.writeHead(own.status, { "content-type": own.contentType });
        res.end(own.body);
        return;
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          // As a reverse proxy does: the simulator answers only requests addressed to itself (421).
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => parts.push(chunk));
          answer.on("end", () => {
            const instead = replace(req.method ?? "", req.url ?? "");
            if (instead) {
              res.writeHead(instead.status, { "content-type": instead.contentType });
              res.end(instead.body);
              return;
            }
            let text = Buffer.concat(parts).toString("utf8");
            const reverse = /\/([^/]+)\/reverse$/.exec(req.url ?? "");
            if (req.method === "POST" && reverse && answer.statusCode === 200) {
              const record = JSON.parse(text) as { state: string; errorMessage: string | null };
              if (record.state === "COMPLETE" && rewrite(decodeURIComponent(reverse[1] ?? ""))) {
                record.state = "INCOMPLETE";
                record.errorMessage =
                  "Reversal failed after the datasource was changed: dependent content could not be re-pointed (rewritten by the test proxy).";
                text = JSON.stringify(record);
                rewritten += 1;
              }
            }
            const headers = { ...answer.headers, "content-length": String(Buffer.byteLength(text)) };
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(text);
          });
        },
      );
      // A connection the simulator dropped is dropped here too: the client sees no answer.
      forward.on("error", () => res.destroy());
      forward.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rewritten: () => rewritten,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
