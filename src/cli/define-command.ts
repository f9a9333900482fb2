import type { ArgumentsCamelCase, Argv, InferredOptionTypes } from "yargs";
import type { CliIo, CommandContext } from "./context.js";
import type { globalOptions } from "./shared-options.js";

/** The options every command takes, declared once by `main` (`globalOptions`). */
export type GlobalOptionArgs = InferredOptionTypes<typeof globalOptions>;

/**
 * One command: its usage, the options its builder declares (each with its own bounds and
 * conflicts), and what it runs. The arguments' type is the builder's, so no layer casts them.
 */
export interface CliCommand<A> {
  command: string;
  describe: string;
  builder(yargs: Argv<GlobalOptionArgs>): Argv<A>;
  /** Runs the command with the parsed arguments; returns the exit code. Imports its work lazily. */
  run(args: ArgumentsCamelCase<A>, io: CliIo): Promise<number>;
}

/** A command as `main` registers it, whatever its arguments: its usage, builder, and registration. */
export interface RegisteredCommand {
  command: string;
  describe: string;
  builder(yargs: Argv<GlobalOptionArgs>): Argv<unknown>;
  /** Adds the command to `parser`; its handler sets `ctx.exitCode`. */
  register(parser: Argv<GlobalOptionArgs>, ctx: CommandContext): void;
}

/** Builds a command's yargs module from its spec, typed end to end. */
export function defineCommand<A>(spec: CliCommand<A>): CliCommand<A> & RegisteredCommand {
  return {
    ...spec,
    register: (parser, ctx) => {
      parser.command({
        command: spec.command,
        describe: spec.describe,
        builder: (yargs: Argv<GlobalOptionArgs>) => spec.builder(yargs),
        handler: async (args: ArgumentsCamelCase<A>) => {
          ctx.exitCode = await spec.run(args, ctx.io);
        },
      });
    },
  };
}

/** The parsed arguments a builder declares: `type XArgs = BuiltArgs<typeof xOptions>`. */
export type BuiltArgs<B> = B extends (yargs: Argv<GlobalOptionArgs>) => Argv<infer A>
  ? ArgumentsCamelCase<A>
  : never;
