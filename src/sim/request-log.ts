import { closeSync, openSync, writeSync } from "node:fs";
import type { RequestLogEntry } from "./types.js";

/** Lines are written in batches: one write per request would cost a syscall each at thousands of req/s. */
const FLUSH_BYTES = 64 * 1024;
const FLUSH_INTERVAL_MS = 200;

/**
 * The simulator's request log: every entry in memory, and optionally in a JSON-lines file that is
 * complete once `close()` returns (the CLI calls it on SIGINT/SIGTERM). The file is truncated when
 * the log opens: it describes one simulator's life.
 */
export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  #fd: number | undefined;
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(path?: string) {
    if (path !== undefined) {
      this.#fd = openSync(path, "w");
      // The timer bounds how stale the file is while serving; unref: it must not keep a process alive.
      this.#timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
      this.#timer.unref();
    }
  }

  append(entry: RequestLogEntry): void {
    this.#entries.push(entry);
    if (this.#fd === undefined) return;
    const line = `${JSON.stringify(entry)}\n`;
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /** Every entry so far, in the order the requests ended. */
  entries(): readonly RequestLogEntry[] {
    return this.#entries;
  }

  /** Writes the buffered lines to the file now. */
  flush(): void {
    if (this.#fd === undefined || this.#pending.length === 0) return;
    const bytes = Buffer.from(this.#pending.join(""), "utf8");
    this.#pending = [];
    this.#pendingBytes = 0;
    let written = 0;
    while (written < bytes.length) written += writeSync(this.#fd, bytes, written);
  }

  /** Flushes and closes the file; the in-memory entries stay readable. Idempotent. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
