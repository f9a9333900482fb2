import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The HTML report's script and stylesheet, as inlined into the page, and the policy that allows them. */
export interface ReportPageAssets {
  /** The text of `report-page.js`, exactly as it goes between `<script>` and `</script>`. */
  script: string;
  /** The text of `report-page.css`, exactly as it goes between `<style>` and `</style>`. */
  style: string;
  /** The page's Content-Security-Policy: its own script and style by hash, nothing fetched. */
  csp: string;
}

let loaded: ReportPageAssets | undefined;

/**
 * The report page's assets, read once from the files next to this module (src/report/html under
 * vitest, dist/report/html once built: scripts/post-build.mjs copies them there). The hashes are
 * computed from the very text that is inlined, so an edit of either file cannot leave a stale hash.
 */
export function reportPageAssets(): ReportPageAssets {
  if (loaded === undefined) {
    const script = readAsset("report-page.js", "script");
    const style = readAsset("report-page.css", "style");
    // The page allows only its own script and style, so an escaping slip still could not run a
    // handler, and nothing may be fetched when it is opened.
    const csp = [
      "default-src 'none'",
      `script-src ${cspHash(script)}`,
      `style-src ${cspHash(style)}`,
      "img-src data:",
      "base-uri 'none'",
      "form-action 'none'",
    ].join("; ");
    loaded = { script, style, csp };
  }
  return loaded;
}

function readAsset(name: string, element: "script" | "style"): string {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(
      `The HTML report's ${element} ${file} cannot be read (${(error as Error).message}): this installation of fedmigrate is incomplete; reinstall it (from a clone: npm run build).`,
      { cause: error },
    );
  }
  // Inlined as raw text: a closing tag inside would end the element early.
  if (text.toLowerCase().includes(`</${element}`)) {
    throw new Error(`${file} contains "</${element}", which would end the inlined <${element}> early.`);
  }
  return text;
}

/** The SHA-256 a Content-Security-Policy uses to allow exactly this inline text. */
function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}
