// The least a Node client can do for the throughput scenario, as a reference: the same POSTs as
// the curl run (read from its argument file), `concurrency` at a time over keep-alive connections,
// with no journal, no plan, no retries and no checks. What it takes is what the simulator and the
// machine leave for any client; the gap between it and fedmigrate is fedmigrate's own cost.
//   node bench/bare-client.mjs ARGS_FILE CONCURRENCY   (token in FEDMIGRATE_BENCH_TOKEN)
import { readFileSync } from "node:fs";
import http from "node:http";

const [argsFile, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const token = process.env.FEDMIGRATE_BENCH_TOKEN ?? "";
const requests = readFileSync(argsFile, "utf8")
  .trim()
  .split("\n")
  .map((line) => {
    const [url, , body] = line.split(" ");
    return { url: new URL(url), body: body.slice(1, -1) };
  });
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function post({ url, body }) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "x-domo-developer-token": token },
      },
      (response) => {
        response.resume();
        response.on("end", () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`)),
        );
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests.length) await post(requests[next++]);
  }),
);
agent.destroy();
