// Loaded with `node --import` in front of the CLI: on exit, writes the process's peak resident set
// (kilobytes) to the file named by FEDMIGRATE_BENCH_RSS_FILE. Measured inside the process, so a
// short run is caught as well as a long one, with no polling.
//
// On Linux it is VmHWM of /proc/self/status: getrusage's ru_maxrss (process.resourceUsage) keeps
// the high-water mark of the image before exec, which after a fork from the bench's runner is
// the runner's own size (hundreds of MB with a generated fixture), not the CLI's.
import { readFileSync, writeFileSync } from "node:fs";

const target = process.env.FEDMIGRATE_BENCH_RSS_FILE;
if (target) {
  process.on("exit", () => {
    writeFileSync(target, String(peakRssKb()));
  });
}

function peakRssKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: getrusage is the best there is.
  }
  return process.resourceUsage().maxRSS;
}
