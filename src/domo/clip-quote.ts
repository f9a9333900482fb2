/** The longest server text quoted in a message, in characters. */
const MAX_QUOTE = 200;

/** A server's text cut to `MAX_QUOTE` characters (the last one `…`) for a message. */
export function clipQuote(text: string): string {
  return text.length <= MAX_QUOTE ? text : `${text.slice(0, MAX_QUOTE - 1)}…`;
}
