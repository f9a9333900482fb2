import type { CommandModule } from "yargs";

/**
 * Every command, in help order. Each module keeps its builder light and imports its
 * implementation lazily in the handler, so `--help` and `--version` load little.
 */
export const commandModules: CommandModule<object, object>[] = [];
