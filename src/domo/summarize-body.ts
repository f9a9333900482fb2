import { clipQuote } from "./clip-quote.js";

/** What an error message may quote of a response body. */
export interface BodySummary {
  /** The first non-empty line, trimmed, at most 200 characters; undefined for an empty body. */
  firstLine: string | undefined;
  /**
   * The most telling short text: an HTML page's `<title>`, a Domo JSON error's `message`
   * (or `statusReason`), else the first line.
   */
  quote: string | undefined;
  /** The `toe` of a Domo JSON error body: what Domo support asks for. */
  toe: string | undefined;
  isHtml: boolean;
}

/**
 * Summarizes a body for an error message. Domo's error bodies come as JSON
 * (`{"status","statusReason","message","toe"}`), plain text (`Unauthorized`) or HTML pages;
 * quoting the whole body would bury the one line that says what went wrong.
 */
export function summarizeBody(text: string, contentType: string | null): BodySummary {
  const firstLine = firstNonEmptyLine(text);
  const isHtml = /\bhtml\b/i.test(contentType ?? "") || /^\s*<(!doctype\s+html|html)[\s>]/i.test(text);
  if (isHtml) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
    const cleanTitle =
      title === undefined ? "" : clipQuote(decodeEntities(title).replace(/\s+/g, " ").trim());
    return {
      firstLine,
      quote: cleanTitle ? `an HTML page titled "${cleanTitle}"` : "an HTML page",
      toe: undefined,
      isHtml,
    };
  }
  const json = parseJsonObject(text);
  if (json) {
    const toe = typeof json.toe === "string" && json.toe ? clipQuote(json.toe) : undefined;
    const message = [json.message, json.statusReason, json.error].find(
      (value): value is string => typeof value === "string" && value.trim() !== "",
    );
    return { firstLine, quote: message === undefined ? firstLine : clipQuote(message.trim()), toe, isHtml };
  }
  return { firstLine, quote: firstLine, toe: undefined, isHtml };
}

function firstNonEmptyLine(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed) return clipQuote(trimmed);
  }
  return undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Enough of HTML's entities for a page title; anything rarer stays as written. */
function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith("#x") || entity.startsWith("#X"))
      return safeCodePoint(Number.parseInt(entity.slice(2), 16), whole);
    if (entity.startsWith("#")) return safeCodePoint(Number.parseInt(entity.slice(1), 10), whole);
    return named[entity.toLowerCase()] ?? whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}
