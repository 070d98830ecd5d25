import { Command, CommanderError } from 'commander';
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, TroveError, exitCodeFor, fromFsError } from '../errors/index.js';
import { createOutput } from './Output.js';
import { createProgressReporter } from './progressReporter.js';
import { COMMANDS } from './commands/index.js';
import type { CommandSpec } from './defineCommand.js';

export const JSON_SCHEMA_VERSION = 1;
const VERSION = '0.1.0';

interface Globals {
  json?: boolean;
  quiet?: boolean;
  cwd?: string;
}

/** argv → command → render → exit code. The only place that prints errors or picks exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  let exit = EXIT_OK;
  const program = new Command('trove')
    .description('Version control for ML data, models and experiments, on top of Git.')
    .version(VERSION, '-V, --version')
    .option('--json', 'print results as JSON (schema version 1) on stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .option('-C, --cwd <dir>', 'run as if started in <dir>')
    .showHelpAfterError(argv.includes('--json') ? false : '(run trove <command> --help for examples)')
    .exitOverride()
    .configureOutput({
      // With --json, even a parse error is one JSON object on stderr.
      writeErr: (s) => process.stderr.write(argv.includes('--json') ? JSON.stringify({ version: JSON_SCHEMA_VERSION, command: argv.find((a) => !a.startsWith('-')) ?? null, ok: false, error: { code: 'USAGE', message: s.trim().replace(/^error: /, ''), hint: 'Run trove <command> --help for the options and examples.', data: null } }) + '\n' : s),
      writeOut: (s) => process.stdout.write(s),
    });
  for (const spec of COMMANDS) {
    const cmd = spec.configure(program.command(spec.name).description(spec.summary));
    cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
    cmd.exitOverride();
    cmd.action(async (...all: unknown[]) => {
      const command = all[all.length - 1] as Command;
      const opts = command.opts() as Record<string, unknown>;
      const args = all.slice(0, -2);
      exit = await runSpec(spec as CommandSpec<unknown>, program.opts() as Globals, args, opts, argv);
    });
  }
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    throw err;
  }
  return exit;
}

async function runSpec(spec: CommandSpec<unknown>, g: Globals, args: unknown[], opts: Record<string, unknown>, argv: readonly string[]): Promise<number> {
  const out = createOutput({ json: Boolean(g.json), quiet: Boolean(g.quiet) });
  const reporter = await createProgressReporter({ enabled: !out.json && !out.quiet && process.stderr.isTTY === true, warn: (m) => out.warn(m) });
  const ctx = { cwd: resolve(g.cwd ?? process.cwd()), out, reporter, argv };
  try {
    const result = await spec.run(ctx, args, opts);
    if (out.json) out.line(JSON.stringify({ version: JSON_SCHEMA_VERSION, command: spec.name, ok: true, result }));
    else if (!out.quiet) spec.render(out, result);
    return spec.exitCode?.(result, opts) ?? EXIT_OK;
  } catch (err) {
    reporter.end();
    return reportError(spec.name, err, out.json);
  }
}

function reportError(command: string, cause: unknown, json: boolean): number {
  // A raw errno from a layer that did not wrap it is still the user's problem (a disk, a permission), not a bug.
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code;
  const err = !(cause instanceof TroveError) && typeof errno === 'string' && /^E[A-Z]+$/.test(errno) ? fromFsError(cause, `running trove ${command} on`, (cause as NodeJS.ErrnoException).path ?? 'a file') : cause;
  if (err instanceof TroveError) {
    if (json) process.stderr.write(JSON.stringify({ version: JSON_SCHEMA_VERSION, command, ok: false, error: err.toJSON() }) + '\n');
    else process.stderr.write(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    return exitCodeFor(err.code);
  }
  // A bug: keep the stack out of the user's face but never lose it.
  const log = join(tmpdir(), `trove-crash-${process.pid}.log`);
  try {
    appendFileSync(log, `${new Date().toISOString()} trove ${command}\n${(err as Error)?.stack ?? String(err)}\n`);
  } catch {
    /* best effort */
  }
  const message = `trove ${command} failed unexpectedly: ${(err as Error)?.message ?? String(err)}`;
  const hint = `This is a bug in trove; the details are in ${log}. Please report it with that file.`;
  if (json) process.stderr.write(JSON.stringify({ version: JSON_SCHEMA_VERSION, command, ok: false, error: { code: 'INTERNAL', message, hint, data: { log } } }) + '\n');
  else process.stderr.write(`error: ${message}\nhint: ${hint}\n`);
  return EXIT_INTERNAL;
}

