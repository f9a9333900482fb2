import { formatDuration } from "../format-duration.js";
import type { AttemptState } from "../journal/types.js";
import { reportPageAssets } from "./html/report-page-assets.js";
import { plural } from "./plural.js";
import type { RunView, RunViewEntry, TimelineAttempt, TimelinePause } from "./run-view.js";

/** Options of `renderHtmlReport`. */
export interface HtmlReportOptions {
  /** When the page was made (ISO-8601); the renderer has no clock of its own. */
  generatedAt: string;
  /** The fedmigrate version, shown in the footer. */
  version?: string;
  /** Above this many requests the timeline is a concurrency chart instead of one bar each. Default 2000. */
  maxTimelineBars?: number;
  /** Above this many lanes, too. Default 64. */
  maxTimelineLanes?: number;
  /** Failures listed in the failures section (the table below has them all). Default 500. */
  maxFailures?: number;
}

const STATES: readonly AttemptState[] = ["COMPLETE", "INCOMPLETE", "ABORTED", "FAILED", "IN_FLIGHT"];

const STATE_WORDS: Record<AttemptState, string> = {
  COMPLETE: "done",
  INCOMPLETE: "failed after changing the datasource: content may be broken until it completes",
  ABORTED: "failed before any change",
  FAILED: "no migration record: an HTTP or network error after retries",
  IN_FLIGHT: "no answer recorded: the next run resolves it from the server",
};

/**
 * Rows drawn at once in the table of every entry. Laying out a table is what a browser is slow at:
 * 10,000 visible rows took seconds to draw again after each sort. Rows past this many (of those the
 * filter keeps, in the current order) are hidden until "Show all"; filters and sorts cover them all.
 */
export const ROWS_DRAWN = 1000;

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Journal text as HTML text or attribute value: it never becomes markup. */
function esc(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * The run as one self-contained HTML page: metadata, counts, failures first (with `toe` and
 * `errorMessage`), a timeline, and a sortable, filterable table of every entry. No external
 * asset; every journal text is escaped; a Content-Security-Policy forbids any fetch.
 */
export function renderHtmlReport(view: RunView, options: HtmlReportOptions): string {
  const { run } = view;
  const reverse = view.direction === "V2_TO_V1" || run.command === "rollback";
  const title = `fedmigrate ${run.command} ${run.id}`;
  const assets = reportPageAssets();
  const parts: string[] = [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(assets.csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<link rel="icon" href="data:,">',
    `<title>${esc(title)}</title>`,
    `<style>${assets.style}</style>`,
    "</head><body><main>",
    `<h1>${reverse ? "Rollback" : "Migration"} run <span class="m">${esc(run.id)}</span> <span class="badge b-${esc(run.status)}">${esc(run.status)}</span></h1>`,
    `<p class="sub">${esc(run.domain)} · ${reverse ? "reversals, Federated V2 → V1" : "migrations, Federated V1 → V2"} · ${plural(view.entries.length, "entry", "entries")} sent</p>`,
    renderMetadata(view),
    renderTiles(view),
    renderFailures(view, options.maxFailures ?? 500),
    renderTimelineSection(view, options),
    renderEntries(view),
    `<footer><p>Entries the run did not send (skipped, held, blocked) are not in the journal's attempts and are not listed; see the run's <code>--report</code> JSON for every entry of the plan.</p>`,
    `<p>Made ${esc(options.generatedAt)} from the journal by fedmigrate${options.version ? ` ${esc(options.version)}` : ""}. Times are UTC.</p></footer>`,
    `</main><script>${assets.script}</script></body></html>`,
  ];
  return `${parts.join("\n")}\n`;
}

function renderMetadata(view: RunView): string {
  const { run } = view;
  const ci =
    run.ciJobUrl === null
      ? "—"
      : // Only a web address becomes a link: a `javascript:` URL from the environment must stay text.
        /^https?:\/\//i.test(run.ciJobUrl)
        ? `<a href="${esc(run.ciJobUrl)}" rel="noreferrer">${esc(run.ciJobUrl)}</a>`
        : esc(run.ciJobUrl);
  const firstRequest = view.timeline.attempts.length > 0 ? view.timeline.originMs : Number.NaN;
  const started = Date.parse(run.startedAt);
  const rows: [string, string][] = [
    ["Command", esc(run.command)],
    ["Status", esc(run.status)],
    ["Domain", esc(run.domain)],
    ["Run by", `${esc(run.user)} on ${esc(run.host)} (pid ${esc(run.pid)})`],
    ["CI job", ci],
    ["Manifests' hash", `<span class="m">${esc(run.manifestsHash ?? "—")}</span>`],
    ["Started", esc(run.startedAt)],
    [
      "Ended",
      run.endedAt === null ? "— (no end recorded: still running, or the process died)" : esc(run.endedAt),
    ],
    ["Duration", view.durationMs === null ? "—" : esc(formatDuration(view.durationMs))],
  ];
  if (Number.isFinite(firstRequest) && Number.isFinite(started)) {
    rows.push([
      "First request",
      `${esc(formatDuration(Math.max(0, firstRequest - started)))} after the start (planning)`,
    ]);
  }
  if (run.options) rows.push(["Options", `<span class="m">${esc(run.options)}</span>`]);
  return `<dl class="meta">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

function renderTiles(view: RunView): string {
  const tiles: string[] = [`<li><b>${view.entries.length}</b><span>entries sent</span></li>`];
  for (const state of STATES) {
    const n = view.counts[state];
    if (n === 0 && state !== "COMPLETE") continue;
    const tone = state === "COMPLETE" ? "t-ok" : "t-bad";
    tiles.push(`<li class="${tone}" data-state="${state}"><b>${n}</b><span>${state}</span></li>`);
  }
  tiles.push(
    `<li><b>${view.attemptCount}</b><span>requests</span></li>`,
    `<li><b>${view.retryCount}</b><span>retries</span></li>`,
    `<li><b>${view.rateLimitCount}</b><span>rate limited (429)</span></li>`,
    `<li><b>${view.timeline.lanes}</b><span>peak concurrency</span></li>`,
  );
  if (view.durationMs !== null)
    tiles.push(`<li><b>${esc(formatDuration(view.durationMs))}</b><span>duration</span></li>`);
  return `<ul class="tiles" id="counts">${tiles.join("")}</ul>`;
}

function target(entry: RunViewEntry): string {
  return [entry.catalog, entry.schema, entry.table].map((part) => part ?? "?").join(".");
}

function renderFailures(view: RunView, max: number): string {
  const { failures } = view;
  const head = `<h2 id="failures-title">Failures (${failures.length})</h2>`;
  if (failures.length === 0) {
    return `<section id="failures">${head}<p class="empty">None: every entry sent ended COMPLETE.</p></section>`;
  }
  const shown = failures.slice(0, Math.max(0, max));
  const present = STATES.filter((s) => s !== "COMPLETE" && view.counts[s] > 0);
  const words = present.map((s) => `<b class="st st-${s}">${s}</b>: ${esc(STATE_WORDS[s])}`).join(" · ");
  const rows = shown.map(
    (e) =>
      `<tr><td class="st st-${e.state}">${e.state}</td><td class="m">${esc(e.datasourceId)}</td><td>${esc(e.name)}</td><td class="m">${esc(e.accountId)}</td><td class="m">${esc(target(e))}</td><td class="m">${esc(e.toe ?? "—")}</td><td class="e">${esc(e.errorMessage ?? (e.httpStatus === null ? "" : `HTTP ${e.httpStatus}`))}</td></tr>`,
  );
  const more =
    failures.length > shown.length
      ? `<p class="note">${failures.length - shown.length} more: filter the table of every entry below by outcome.</p>`
      : "";
  return [
    `<section id="failures">${head}`,
    `<p class="note">Give Domo support the <b>toe</b> of each. ${words}.</p>`,
    '<div class="scroll"><table id="failure-table"><thead><tr><th>state</th><th>datasource</th><th>name</th><th>account</th><th>target</th><th>toe</th><th>errorMessage</th></tr></thead><tbody>',
    rows.join("\n"),
    `</tbody></table></div>${more}</section>`,
  ].join("\n");
}

function renderEntries(view: RunView): string {
  const options = [
    `<option value="">all outcomes</option>`,
    `<option value="not-complete">not COMPLETE</option>`,
    ...STATES.filter((s) => view.counts[s] > 0).map((s) => `<option value="${s}">${s}</option>`),
  ];
  const heads: [label: string, numeric: boolean][] = [
    ["state", false],
    ["datasource", false],
    ["name", false],
    ["account", false],
    ["target", false],
    ["attempts", true],
    ["duration", true],
    ["started", true],
    ["toe", false],
    ["errorMessage", false],
  ];
  // Time of day keeps the table narrow; the date shows only when the run's entries span days.
  const days = new Set(view.entries.map((e) => e.startedAt.slice(0, 10)));
  const when = (at: string) => (days.size === 1 && /^\d{4}-\d\d-\d\dT/.test(at) ? at.slice(11, 23) : at);
  const origin = Date.parse(view.entries[0]?.startedAt ?? "") || 0;
  // Compact on purpose (no per-cell class, no </td>, which HTML allows): 10,000 rows stay small and
  // quick to parse. Columns are styled by position in html/report-page.css; `data-k` holds numeric sort keys.
  const rows = view.entries.map((e, index) => {
    const attempts =
      e.rateLimited > 0
        ? `<td data-k="${e.attempts}">${e.attempts} (${e.rateLimited}×429)`
        : `<td>${e.attempts}`;
    const started = Date.parse(e.startedAt);
    return `<tr data-s="${e.state}"${index >= ROWS_DRAWN ? " hidden" : ""}><td>${e.state}<td>${esc(e.datasourceId)}<td>${esc(e.name)}<td>${esc(e.accountId)}<td>${esc(target(e))}${attempts}<td data-k="${e.durationMs ?? -1}">${e.durationMs === null ? "—" : formatDuration(e.durationMs)}<td data-k="${Number.isFinite(started) ? started - origin : 0}">${esc(when(e.startedAt))}<td>${esc(e.toe)}<td>${esc(e.errorMessage)}</tr>`;
  });
  return [
    `<section id="all"><h2>Every entry (${view.entries.length})</h2>`,
    '<div class="controls">',
    `<label>Outcome <select id="f-state">${options.join("")}</select></label>`,
    '<label>Text <input id="f-text" type="search" placeholder="datasource, name, toe, error…"></label>',
    `<span class="note"><span id="f-shown">${view.entries.length}</span> of ${view.entries.length} shown<span id="f-cut"${view.entries.length > ROWS_DRAWN ? "" : " hidden"}>, the first ${ROWS_DRAWN.toLocaleString("en-US")} drawn <button type="button" id="f-more">Show all</button></span> · click a heading to sort</span>`,
    "</div>",
    `<div class="scroll"><table id="entries" data-drawn="${ROWS_DRAWN}"><thead><tr>`,
    heads
      .map(
        ([label, numeric]) =>
          `<th${numeric ? ' data-type="num"' : ""}><button type="button">${label}</button></th>`,
      )
      .join(""),
    "</tr></thead><tbody>",
    rows.join("\n"),
    "</tbody></table></div></section>",
  ].join("\n");
}

// Timeline geometry, in SVG user units (the SVG scales to the page width).
const WIDTH = 1000;
const LEFT = 44;
const RIGHT = 12;
const TOP = 16;
const PLOT = WIDTH - LEFT - RIGHT;
const LANE = 12;
const LANE_GAP = 3;
const AXIS = 26;

function renderTimelineSection(view: RunView, options: HtmlReportOptions): string {
  const { timeline } = view;
  const head = `<section id="timeline"><h2>Timeline</h2>`;
  if (timeline.attempts.length === 0)
    return `${head}<p class="note">No request of this run has a readable time.</p></section>`;
  const bars =
    timeline.attempts.length <= (options.maxTimelineBars ?? 2000) &&
    timeline.lanes <= (options.maxTimelineLanes ?? 64);
  const pausedMs = timeline.pauses.reduce((sum, p) => sum + (p.endMs - p.startMs), 0);
  const summary = `<p class="note">${plural(timeline.attempts.length, "request")} over ${esc(formatDuration(timeline.spanMs))} from ${esc(iso(timeline.originMs))}; peak concurrency ${timeline.lanes}; ${plural(view.retryCount, "retry", "retries")}; ${view.rateLimitCount} rate limited (429); ${plural(timeline.pauses.length, "pause")} with nothing in flight${timeline.pauses.length > 0 ? ` (${esc(formatDuration(pausedMs))} in all)` : ""}.${bars ? " Each bar is one request, on the first free lane; hover for details." : " Too many requests for one bar each: the chart shows requests in flight over time."}</p>`;
  return [
    head,
    summary,
    bars ? renderBars(view) : renderConcurrency(view),
    renderLegend(bars),
    renderPauseList(timeline.pauses, timeline.originMs),
    "</section>",
  ].join("\n");
}

function renderLegend(bars: boolean): string {
  const swatch = (cls: string, extra = "") =>
    `<svg width="12" height="12" aria-hidden="true"><rect class="${cls}" width="12" height="12"/>${extra}</svg>`;
  const hatch = `<rect width="12" height="12" fill="url(#hatch)"/>`;
  const items = bars
    ? [
        ...STATES.map((s) => `<li>${swatch(`s-${s}`)}${s}</li>`),
        `<li>${swatch("s-FAILED", hatch)}retry (hatched)</li>`,
        `<li>${swatch("s-RL")}rate limited (429), marked ▼ above</li>`,
        `<li>${swatch("pause")}pause: nothing in flight</li>`,
      ]
    : [
        `<li>${swatch("area")}requests in flight (mean per slice)</li>`,
        '<li><svg width="14" height="12" aria-hidden="true"><path class="peak" d="M0,6H14"/></svg>peak in the slice</li>',
        `<li>${swatch("done")}requests finished per slice</li>`,
        `<li>${swatch("s-RL")}rate limited (429)</li>`,
        `<li>${swatch("retry-tick")}retries started</li>`,
        `<li>${swatch("pause")}pause: nothing in flight</li>`,
      ];
  return `<ul class="legend">${items.join("")}</ul>`;
}

function renderPauseList(pauses: readonly TimelinePause[], origin: number): string {
  if (pauses.length === 0) return "";
  const longest = [...pauses].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs)).slice(0, 20);
  const items = longest
    .sort((a, b) => a.startMs - b.startMs)
    .map(
      (p) =>
        `<li>${esc(iso(origin + p.startMs))} to ${esc(iso(origin + p.endMs))}: ${esc(formatDuration(p.endMs - p.startMs))}${p.afterRateLimit ? ", after a 429 (rate limit)" : ""}</li>`,
    );
  const title = pauses.length > longest.length ? `The ${longest.length} longest pauses` : "Pauses";
  return `<details id="pauses"><summary>${title}</summary><ul>${items.join("")}</ul></details>`;
}

function x(ms: number, span: number): number {
  return span > 0 ? LEFT + (ms / span) * PLOT : LEFT;
}

function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function renderAxis(span: number, origin: number, y: number): string {
  if (span <= 0) return "";
  const step = tickStep(span);
  const out: string[] = [];
  // Ticks on round clock times (every 5 min at :00, :05…), not at offsets from the first request.
  for (let t = Math.ceil(origin / step) * step - origin; t <= span + 1e-9; t += step) {
    const px = num(x(t, span));
    out.push(
      `<line class="grid" x1="${px}" y1="${TOP}" x2="${px}" y2="${num(y)}"/>`,
      `<text x="${px}" y="${num(y + 14)}" text-anchor="middle">${esc(clock(origin + t, step))}</text>`,
    );
  }
  return out.join("");
}

/** Pauses drawn at most: the longest, so that a run of many short ones keeps the SVG bounded. */
const MAX_DRAWN_PAUSES = 200;

function renderPauses(pauses: readonly TimelinePause[], span: number, top: number, height: number): string {
  const drawn =
    pauses.length > MAX_DRAWN_PAUSES
      ? [...pauses].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs)).slice(0, MAX_DRAWN_PAUSES)
      : pauses;
  return drawn
    .map((p) => {
      const x0 = x(p.startMs, span);
      const w = Math.max(1, x(p.endMs, span) - x0);
      const words = `pause ${formatDuration(p.endMs - p.startMs)}`;
      // A label where it fits: the slowdown should be seen without hovering.
      const label =
        w >= 80
          ? `<text class="pl" x="${num(x0 + w / 2)}" y="${num(top + 11)}" text-anchor="middle">${esc(words)}${p.afterRateLimit ? " (429)" : ""}</text>`
          : "";
      return `<rect class="pause" x="${num(x0)}" y="${num(top)}" width="${num(w)}" height="${num(height)}"><title>${esc(words)}: nothing in flight${p.afterRateLimit ? ", after a 429 (rate limit)" : ""}</title></rect>${label}`;
    })
    .join("");
}

function renderBars(view: RunView): string {
  const { timeline } = view;
  const span = timeline.spanMs;
  const lanesHeight = timeline.lanes * (LANE + LANE_GAP);
  const height = TOP + lanesHeight + AXIS;
  const parts: string[] = [
    `<svg class="tl" id="timeline-chart" data-mode="bars" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Each request as a bar on its lane over time">`,
    '<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)"><rect width="2" height="5" fill="#fff" fill-opacity="0.55"/></pattern></defs>',
    renderAxis(span, timeline.originMs, TOP + lanesHeight),
    renderPauses(timeline.pauses, span, TOP, lanesHeight),
  ];
  for (let lane = 0; lane < timeline.lanes; lane += 1) {
    parts.push(
      `<text x="${LEFT - 6}" y="${TOP + lane * (LANE + LANE_GAP) + LANE - 2}" text-anchor="end">${lane + 1}</text>`,
    );
  }
  for (const a of timeline.attempts) parts.push(renderBar(a, span));
  parts.push("</svg>");
  return parts.join("");
}

function renderBar(a: TimelineAttempt, span: number): string {
  const x0 = x(a.startMs, span);
  const w = Math.max(1, x(a.endMs, span) - x0);
  const y = TOP + a.lane * (LANE + LANE_GAP);
  const cls = a.rateLimited ? "s-RL" : `s-${a.state}`;
  const label = `${a.name ? `${a.name} (${a.datasourceId})` : a.datasourceId}: attempt ${a.attempt}, ${a.open ? "no answer recorded" : a.state}${a.httpStatus !== null && a.httpStatus !== 200 ? `, HTTP ${a.httpStatus}` : ""}, ${formatDuration(a.endMs - a.startMs)}`;
  const geometry = `x="${num(x0)}" y="${y}" width="${num(w)}" height="${LANE}"`;
  let out = `<rect class="${cls}" ${geometry} data-id="${a.id}"><title>${esc(label)}</title></rect>`;
  if (a.retry) out += `<rect ${geometry} fill="url(#hatch)" pointer-events="none"/>`;
  if (a.rateLimited) {
    out += `<path class="s-RL" d="M${num(x0 + w / 2)},${TOP - 2}l-4,-7h8z"><title>${esc(label)}</title></path>`;
  }
  return out;
}

const CHART = 150;
const STRIP = 44;

function renderConcurrency(view: RunView): string {
  const { timeline } = view;
  const span = timeline.spanMs;
  const { buckets } = timeline;
  const peak = Math.max(1, ...buckets.map((b) => b.max));
  const base = TOP + CHART;
  const y = (level: number) => base - (level / peak) * CHART;
  const stripTop = base + 12;
  const stripBase = stripTop + STRIP;
  const height = stripBase + AXIS;
  const maxFinished = Math.max(1, ...buckets.map((b) => b.finished));

  let area = `M${num(x(0, span))},${base}`;
  let peakLine = "";
  for (const b of buckets) {
    const x0 = num(x(b.startMs, span));
    const x1 = num(x(b.endMs, span));
    area += `L${x0},${num(y(b.average))}L${x1},${num(y(b.average))}`;
    peakLine += `${peakLine === "" ? "M" : "L"}${x0},${num(y(b.max))}L${x1},${num(y(b.max))}`;
  }
  area += `L${num(x(span, span))},${base}Z`;

  const strip: string[] = [];
  for (const b of buckets) {
    const x0 = x(b.startMs, span);
    const w = Math.max(0.5, x(b.endMs, span) - x0 - 0.3);
    const title = `${iso(timeline.originMs + b.startMs)}: ${b.finished} finished, ${b.retries} retries, ${b.rateLimited} rate limited; ${num(b.average)} in flight on average, ${b.max} at most`;
    if (b.finished > 0) {
      const h = (b.finished / maxFinished) * STRIP;
      strip.push(
        `<rect class="done" x="${num(x0)}" y="${num(stripBase - h)}" width="${num(w)}" height="${num(h)}"><title>${esc(title)}</title></rect>`,
      );
    }
    if (b.rateLimited > 0) {
      const h = Math.max(2, (b.rateLimited / maxFinished) * STRIP);
      strip.push(
        `<rect class="s-RL" x="${num(x0)}" y="${num(stripBase - h)}" width="${num(w)}" height="${num(h)}"><title>${esc(title)}</title></rect>`,
      );
    }
    if (b.retries > 0) {
      strip.push(
        `<rect class="retry-tick" x="${num(x0)}" y="${stripTop - 8}" width="${num(w)}" height="4"><title>${esc(title)}</title></rect>`,
      );
    }
  }
  return [
    `<svg class="tl" id="timeline-chart" data-mode="concurrency" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Requests in flight over time">`,
    renderAxis(span, timeline.originMs, stripBase),
    renderPauses(timeline.pauses, span, TOP, stripBase - TOP),
    `<path class="area" d="${area}"/>`,
    `<path class="peak" d="${peakLine}"/>`,
    `<text x="${LEFT - 6}" y="${TOP + 8}" text-anchor="end">${peak}</text>`,
    `<text x="${LEFT - 6}" y="${base}" text-anchor="end">0</text>`,
    `<text x="${LEFT - 6}" y="${stripBase}" text-anchor="end">done</text>`,
    strip.join(""),
    "</svg>",
  ].join("");
}

const STEPS_MS = [
  10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** A round tick interval giving at most 10 ticks over the span. */
function tickStep(span: number): number {
  return STEPS_MS.find((step) => span / step <= 10) ?? Math.ceil(span / 10 / 86_400_000) * 86_400_000;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "?";
}

/** A tick label: UTC wall-clock time, with milliseconds only when the ticks need them. */
function clock(ms: number, step: number): string {
  const text = iso(ms);
  return step < 1000 ? text.slice(11, 23) : text.slice(11, 19);
}
