import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE, TroveError } from '../errors/index.js';
import { COMMAND_MODULES } from './commands/commandModules.js';
import type { CommandSpec } from './defineCommand.js';
import { JSON_SCHEMA_VERSION, runSpec, type Globals } from './runCommand.js';

export { JSON_SCHEMA_VERSION };

/** The global options before the command name, with the one that takes a value. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-C' || a === '--cwd') i++;
    else if (!a.startsWith('-')) return i;
  }
  return argv.length;
}

/** `trove --version` / `-V` is `trove version`, so it prints Node's version too and honours --json. */
function versionFlagAsCommand(argv: readonly string[]): readonly string[] {
  const end = commandIndex(argv);
  const at = argv.slice(0, end).findIndex((a) => a === '--version' || a === '-V');
  return at < 0 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1, end), 'version', ...argv.slice(end)];
}

/**
 * The commands this command line can run. Commander only ever dispatches to a
 * command whose name is a word of argv, so when the first word after the global
 * options names a command, loading the commands named from there on (`-qC
 * init status` runs status) parses exactly as loading all of them would, at the
 * cost of one command's modules instead of every command's. Anything else (no
 * command, `help`, a misspelt name that Commander answers with a suggestion)
 * loads them all.
 */
export function commandsToLoad(argv: readonly string[]): readonly string[] {
  const names = new Set(COMMAND_MODULES.map((m) => m.name));
  const at = commandIndex(argv);
  const first = argv[at];
  if (first === undefined || !names.has(first)) return [...names];
  const end = argv.indexOf('--');
  const words = new Set(argv.slice(at, end < 0 ? argv.length : end));
  return [...names].filter((n) => words.has(n));
}

/** argv → command → render → exit code (runCommand.ts prints the result or the error). */
export async function main(rawArgv: readonly string[]): Promise<number> {
  const argv = versionFlagAsCommand(rawArgv);
  let exit = EXIT_OK;
  const program = new Command('trove')
    .description('Version control for ML data, models and experiments, on top of Git.')
    // Every command's --help lists --json, -q and -C too: they are accepted there.
    .configureHelp({ showGlobalOptions: true })
    // -V/--version before the command is rewritten to `trove version` above; it is not a Commander
    // option, because Commander would also take it after a command and steal `trove version NAME --version 2`.
    .addHelpText('after', "\n  -V, --version    print trove's and Node's versions (same as trove version)\n")
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
  const register = (parent: Command, spec: CommandSpec<unknown>, prefix = ''): void => {
    // --json's "command" and error lines name a subcommand in full ("metrics show").
    const named = prefix ? { ...spec, name: `${prefix} ${spec.name}` } : spec;
    const cmd = spec.configure(parent.command(spec.name).description(spec.summary));
    cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
    cmd.exitOverride();
    cmd.action(async (...all: unknown[]) => {
      const command = all[all.length - 1] as Command;
      const opts = command.opts() as Record<string, unknown>;
      const args = all.slice(0, -2);
      // Commander lets the parent take its own options from anywhere on the line, so `trove metrics show -o x`
      // would hand -o to `trove metrics NAME` and ignore it: refuse instead.
      const parent = prefix ? command.parent : null;
      const stolen = parent ? parent.options.filter((o) => parent.getOptionValueSource(o.attributeName()) === 'cli').map((o) => o.long ?? o.short ?? o.name()) : [];
      const run = stolen.length === 0 ? named : { ...named, run: () => Promise.reject(new TroveError('USAGE', `${stolen.join(', ')}: not an option of trove ${named.name}.`, { hint: `Run trove ${named.name} --help for its options.`, data: { options: stolen } })) };
      exit = await runSpec(run, program.opts() as Globals, args, opts, argv);
    });
    if (spec.subcommands?.length) {
      // No implicit `help` subcommand: it would take one more word from the command's own arguments (`--help` stays).
      cmd.helpCommand(false);
      for (const sub of spec.subcommands) register(cmd, sub as CommandSpec<unknown>, named.name);
    }
  };
  const wanted = new Set(commandsToLoad(argv));
  const specs = await Promise.all(COMMAND_MODULES.filter((m) => wanted.has(m.name)).map((m) => m.load()));
  for (const spec of specs) register(program, spec as CommandSpec<unknown>);
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

