import { describeValue } from "../describe-value.js";
import { suggestKey } from "../manifest/suggest-key.js";
import {
  FAULT_SHARE_KEYS,
  type FixtureFaults,
  type FixturePathIssue,
  type LatencyRange,
  type RateLimit,
} from "./fixture-types.js";

const FAULT_KEYS: readonly string[] = [...FAULT_SHARE_KEYS, "retryAfterSeconds"];

export type Path = (string | number)[];

/** Collects every issue of one check, with its path. */
export class FixtureChecker {
  readonly issues: FixturePathIssue[] = [];

  fail(path: Path, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  record(value: unknown, path: Path, known: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return this.fail(path, `must be a mapping, is ${describeValue(value)}`);
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (known.includes(key)) continue;
      const near = suggestKey(key, known);
      this.fail(
        [...path, key],
        `unknown key${near ? ` (did you mean "${near}"?)` : ""}; known keys: ${known.join(", ")}`,
      );
    }
    return record;
  }

  string(value: unknown, path: Path): string | undefined {
    if (typeof value !== "string") return this.fail(path, `must be a string, is ${describeValue(value)}`);
    if (value === "") return this.fail(path, "must not be empty");
    if (hasControlCharacter(value)) return this.fail(path, "must not contain control characters");
    return value;
  }

  share(value: unknown, path: Path): number | undefined {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
      return this.fail(path, `must be a share between 0 and 1, is ${describeValue(value)}`);
    }
    return value;
  }

  nonNegative(value: unknown, path: Path, integer = false): number | undefined {
    if (
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      value < 0 ||
      (integer && !Number.isInteger(value))
    ) {
      return this.fail(
        path,
        `must be a non-negative ${integer ? "integer" : "number"}, is ${describeValue(value)}`,
      );
    }
    return value;
  }

  latency(value: unknown, path: Path): LatencyRange | undefined {
    if (typeof value === "number") {
      const ms = this.nonNegative(value, path);
      return ms === undefined ? undefined : { min: ms, max: ms };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return this.fail(path, `must be milliseconds or { min, max }, is ${describeValue(value)}`);
    }
    const record = this.record(value, path, ["min", "max"]);
    if (!record) return undefined;
    const min = this.nonNegative(record.min, [...path, "min"]);
    const max = this.nonNegative(record.max, [...path, "max"]);
    if (min === undefined || max === undefined) return undefined;
    if (min > max) return this.fail(path, `min (${min}) must not exceed max (${max})`);
    return { min, max };
  }

  /** One of `allowed` (a mode, a fault name…). */
  oneOf<T extends string>(value: unknown, path: Path, allowed: readonly T[]): T | undefined {
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(path, `must be one of ${allowed.join(", ")}, is ${describeValue(value)}`);
  }

  /** A list of distinct non-empty strings. */
  stringList(value: unknown, path: Path, what: string): string[] | undefined {
    if (!Array.isArray(value))
      return this.fail(path, `must be a list of ${what}, is ${describeValue(value)}`);
    const list: string[] = [];
    value.forEach((item, index) => {
      const text = this.string(item, [...path, index]);
      if (text === undefined) return;
      if (list.includes(text)) this.fail([...path, index], `"${text}" is listed twice`);
      else list.push(text);
    });
    return list;
  }

  faults(value: unknown, path: Path, base: FixtureFaults): FixtureFaults | undefined {
    const record = this.record(value, path, FAULT_KEYS);
    if (!record) return undefined;
    const faults: FixtureFaults = { ...base };
    for (const key of FAULT_SHARE_KEYS) {
      if (record[key] === undefined) continue;
      const share = this.share(record[key], [...path, key]);
      if (share !== undefined) faults[key] = share;
    }
    if (record.retryAfterSeconds !== undefined) {
      const seconds = this.nonNegative(record.retryAfterSeconds, [...path, "retryAfterSeconds"], true);
      if (seconds !== undefined) faults.retryAfterSeconds = seconds;
    }
    return faults;
  }

  rateLimit(value: unknown, path: Path): RateLimit | undefined {
    const record = this.record(value, path, ["perSecond", "burst"]);
    if (!record) return undefined;
    const perSecond = record.perSecond;
    if (typeof perSecond !== "number" || !Number.isFinite(perSecond) || perSecond <= 0) {
      return this.fail([...path, "perSecond"], `must be a positive number, is ${describeValue(perSecond)}`);
    }
    const burst = record.burst ?? Math.max(1, Math.ceil(perSecond));
    if (typeof burst !== "number" || !Number.isInteger(burst) || burst < 1) {
      return this.fail([...path, "burst"], `must be a positive integer, is ${describeValue(burst)}`);
    }
    return { perSecond, burst };
  }
}

/** `datasources[3].table` from ["datasources", 3, "table"]. */
export function formatFixturePath(path: readonly (string | number)[]): string {
  let text = "";
  for (const part of path) {
    text += typeof part === "number" ? `[${part}]` : text === "" ? part : `.${part}`;
  }
  return text;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
