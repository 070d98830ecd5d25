import type { Command } from 'commander';
import type { Reporter } from '../core/Reporter.js';
import type { Output } from './Output.js';

/** What a command body gets: resolved global options and the output sinks. */
export interface CommandContext {
  readonly cwd: string;
  readonly out: Output;
  readonly reporter: Reporter;
  /** the raw arguments main() received (for commands that split on `--`) */
  readonly argv: readonly string[];
}

/**
 * One CLI command: its options are declared here, its body calls one api/
 * function, and `render` turns the result into text. With --json the result
 * itself is printed, so text and JSON can never disagree about the facts. A
 * result field that is an AsyncIterable (a listing too large to hold) is
 * written as a JSON array an item at a time (jsonPieces.ts).
 */
export interface CommandSpec<R> {
  readonly name: string;
  readonly summary: string;
  readonly examples: readonly string[];
  configure(cmd: Command): Command;
  run(ctx: CommandContext, args: unknown[], opts: Record<string, unknown>): Promise<R>;
  /** may return a promise: a result with a streamed field (an AsyncIterable) is rendered as it is read, with out.stream */
  render(out: Output, result: R): void | Promise<void>;
  /** non-zero exit for a result that is not an error (e.g. status with changes and --exit-code) */
  exitCode?(result: R, opts: Record<string, unknown>): number;
  /**
   * Subcommands (`trove metrics show`): dispatched on the first argument,
   * before this command's own action; their names can then never be this
   * command's first argument (e.g. an entity name).
   */
  readonly subcommands?: readonly CommandSpec<any>[];
}

export function defineCommand<R>(spec: CommandSpec<R>): CommandSpec<R> {
  return spec;
}
