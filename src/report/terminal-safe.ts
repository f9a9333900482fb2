import { redactSecrets, showControlCharacters } from "../domo/clean-server-text.js";

/**
 * Text made safe to print on a terminal, in Markdown or in XML, whatever it holds: the registered
 * secrets (the developer token) redacted in any encoding, and control characters shown as escapes
 * (`\x1b`), so that nothing printed can clear the screen, set the title, plant an OSC 8 link or
 * reorder a line with a bidi override. Server text is already clean where it enters (see
 * `createServerTextCleaner`); this is for every renderer's last step, whatever the text's source.
 * `oneLine` shows line breaks and tabs too (a table cell, a log line); `json` keeps a JSON line
 * valid (controls as `\u` escapes).
 */
export function terminalSafe(text: string, { oneLine = false, json = false } = {}): string {
  return showControlCharacters(redactSecrets(text), { keepLineBreaks: !oneLine, json });
}
