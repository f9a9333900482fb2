import type { Argv } from "yargs";

/** The command that prints the completion script; the script calls back `--get-yargs-completions`. */
export const COMPLETION_COMMAND = "completion";

const DESCRIBE =
  "Print a shell completion script for bash or zsh (as $SHELL says): fedmigrate completion >> ~/.bashrc";

/** What `fedmigrate completion --help` prints (yargs would print the script itself). */
export const COMPLETION_HELP = [
  "fedmigrate completion",
  "",
  DESCRIBE,
  "",
  "Examples:",
  "  fedmigrate completion >> ~/.bashrc   bash",
  "  fedmigrate completion >> ~/.zshrc    zsh",
].join("\n");

/**
 * `fedmigrate completion`: yargs' own completion command, not a module of ours, because only the
 * top-level parser can answer the script's `--get-yargs-completions` calls with every command and
 * option it knows. `main` calls this on its parser once the commands are registered, so the
 * completion command comes last in `--help`. Nothing is loaded for it: the script is yargs' own.
 */
export function enableCompletion<T>(parser: Argv<T>): Argv<T> {
  return parser.completion(COMPLETION_COMMAND, DESCRIBE);
}
