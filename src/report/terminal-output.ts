import { fitText } from "./terminal-text.js";

const CLEAR_LINE = "\r\x1b[2K";
const HIDE_CURSOR = "\x1b[?25l";
/** Cursor shown and line wrap on: how a terminal is left on every exit, whatever came before. */
export const RESTORE_TERMINAL = "\x1b[?25h\x1b[?7h";

type TerminalStream = NodeJS.WritableStream & { columns?: number; isTTY?: boolean };

/**
 * stderr on a terminal, shared by log lines and the progress bar: while the bar shows, a line
 * written goes above it (the bar is cleared, the line written, the bar drawn again beneath), so
 * the two never overlap.
 */
export class TerminalOutput {
  private bar: (() => string) | undefined;
  private exitHook: (() => void) | undefined;

  constructor(readonly stream: TerminalStream) {}

  write(text: string): void {
    // On a terminal of known width a long line is wrapped at spaces, continuation lines indented,
    // so a log line reads as one block; off a terminal it stays one line.
    if (this.stream.isTTY && this.stream.columns)
      text = fitText(text, { width: this.columns, colour: false });
    if (this.bar === undefined) {
      this.stream.write(text);
      return;
    }
    this.stream.write(`${CLEAR_LINE}${text}${this.bar()}`);
  }

  /** Shows `draw()` as the last line, until `hide`; the terminal is restored on any exit meanwhile. */
  show(draw: () => string): void {
    if (this.bar === undefined) {
      this.stream.write(HIDE_CURSOR);
      // A second Ctrl-C or a crash exits without `hide`: the cursor comes back all the same.
      this.exitHook = () => this.stream.write(`${CLEAR_LINE}${RESTORE_TERMINAL}`);
      process.once("exit", this.exitHook);
    }
    this.bar = draw;
    this.redraw();
  }

  redraw(): void {
    if (this.bar !== undefined) this.stream.write(`${CLEAR_LINE}${this.bar()}`);
  }

  hide(): void {
    if (this.bar === undefined) return;
    this.bar = undefined;
    if (this.exitHook) process.off("exit", this.exitHook);
    this.exitHook = undefined;
    this.stream.write(`${CLEAR_LINE}${RESTORE_TERMINAL}`);
  }

  get columns(): number {
    return this.stream.columns ?? 80;
  }
}
