// The throughput scenario's second reference: the same POSTs as bare-client.mjs, through ky over
// Node's global fetch, which is fedmigrate's HTTP stack (STYLE), with nothing else: no journal,
// no plan, no retries, no checks. The gap between it and bare-client.mjs is what fetch and ky
// cost per request; the gap between fedmigrate and it is fedmigrate's own.
//   node bench/bare-ky-client.mjs ARGS_FILE CONCURRENCY   (token in FEDMIGRATE_BENCH_TOKEN)
import { readFileSync } from "node:fs";
import ky from "ky";

const [argsFile, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const token = process.env.FEDMIGRATE_BENCH_TOKEN ?? "";
const requests = readFileSync(argsFile, "utf8")
  .trim()
  .split("\n")
  .map((line) => {
    const [url, , body] = line.split(" ");
    return { url, body: body.slice(1, -1) };
  });
const http = ky.create({
  retry: 0,
  timeout: false,
  headers: { "content-type": "application/json", "x-domo-developer-token": token },
});

let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const { url, body } = requests[next++];
      await http.post(url, { body }).text();
    }
  }),
);
