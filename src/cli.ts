#!/usr/bin/env node
import { main } from "./cli/main.js";

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  onSignal: (handler) => {
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    return () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    };
  },
  exit: (exitCode) => process.exit(exitCode),
});
// The one exit of a finished command; a second Ctrl-C leaves through `io.exit`. Exit explicitly: keep-alive sockets or timers must not hold a finished run open.
process.stdout.write("", () => process.exit(code));
