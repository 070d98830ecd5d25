import type { Command } from 'commander';
import { TroveError } from '../../errors/index.js';
import type { CommandContext } from '../defineCommand.js';
import { defineCommand } from '../defineCommand.js';
import type { Output } from '../Output.js';
import { troveVersion } from './versionCommand.js';
import { EXP_READ_SUBCOMMANDS } from './expReadCommands.js';

/**
 * One subcommand of `trove exp` (the remoteCommand pattern: `trove exp ACTION [ARGS...]`).
 * Subcommands live in their own files and are listed in EXP_SUBCOMMANDS below.
 */
export interface ExpSubcommand<R extends { action: string } = { action: string }> {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** one line for `trove exp --help` */
  readonly usage: string;
  readonly examples: readonly string[];
  /** the subcommand's own options, added to `trove exp` (keep flags distinct between subcommands) */
  readonly options?: (cmd: Command) => Command;
  run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<R>;
  render(out: Output, result: R): void;
  exitCode?(result: R, opts: Record<string, unknown>): number;
}

export type ExpResult = { action: string } & Record<string, unknown>;

const serveSubcommand: ExpSubcommand<{ action: 'serve' }> = {
  name: 'serve',
  usage: 'serve                 the line-based JSON protocol for training scripts (docs/experiments.md)',
  examples: ['echo \'{"id":1,"op":"hello"}\' | trove exp serve'],
  options: (cmd) => cmd.option('--stop-timeout <seconds>', 'serve: how long stop (and EOF) waits for background uploads (default 60)'),
  async run(ctx, args, opts) {
    if (args.length) throw new TroveError('USAGE', 'trove exp serve takes no arguments.', { hint: 'Run it as a child process and speak the protocol on stdin/stdout.' });
    const { serveProtocol } = await import('./expServe.js');
    const t = opts.stopTimeout === undefined ? undefined : Number(opts.stopTimeout);
    if (t !== undefined && !(t >= 0)) throw new TroveError('USAGE', '--stop-timeout takes a number of seconds.', { data: { value: String(opts.stopTimeout) } });
    await serveProtocol({ cwd: ctx.cwd, version: troveVersion(), ...(t !== undefined ? { stopTimeoutS: t } : {}) });
    return { action: 'serve' };
  },
  render() {
    /* the protocol replies went to stdout already */
  },
};

interface PushRendered {
  action: 'push';
  runs: number;
  remote: string | null;
  objects: number;
  bytes: number;
  gitRemote: string | null;
  refs: { ref: string; status: string }[];
}

const pushSubcommand: ExpSubcommand<PushRendered> = {
  name: 'push',
  usage: 'push [-r REMOTE]      send every run: its data to the trove remote, its ref to the Git remote',
  examples: ['trove exp push', 'trove exp push -r storage --git-remote origin'],
  options: (cmd) => cmd.option('-r, --remote <name>', 'push/pull: the trove remote for the data').option('--git-remote <name>', 'push/pull: the Git remote for the run refs'),
  async run(ctx, args, opts) {
    if (args.length) throw new TroveError('USAGE', 'trove exp push takes no arguments.', { hint: 'trove exp push [-r REMOTE] [--git-remote NAME]' });
    const [{ expPush }, { openRepo }] = await Promise.all([import('../../api/expTransfer.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const r = await expPush(repo, { ...(opts.remote ? { remote: String(opts.remote) } : {}), ...(opts.gitRemote ? { gitRemote: String(opts.gitRemote) } : {}) });
    return { action: 'push', runs: r.runs, remote: r.data?.remote ?? null, objects: r.data?.objects ?? 0, bytes: r.data?.bytes ?? 0, gitRemote: r.gitRemote, refs: r.refs.map((x) => ({ ref: x.ref, status: x.status })) };
  },
  render(out, r) {
    out.line(`${r.runs} run(s): ${r.objects} object(s) sent${r.remote ? ` to ${r.remote}` : ''}; ${r.gitRemote ? `run refs pushed to ${r.gitRemote}` : 'no Git remote: run refs stay here'}.`);
  },
};

const pullSubcommand: ExpSubcommand<{ action: 'pull'; gitRemote: string; before: number; after: number }> = {
  name: 'pull',
  usage: 'pull [--git-remote N]  fetch the runs recorded in the Git remote (checkpoint data comes on demand)',
  examples: ['trove exp pull', 'trove exp pull --git-remote origin'],
  async run(ctx, args, opts) {
    if (args.length) throw new TroveError('USAGE', 'trove exp pull takes no arguments.', { hint: 'trove exp pull [--git-remote NAME]' });
    const [{ expPull }, { openRepo }] = await Promise.all([import('../../api/expTransfer.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const r = await expPull(repo, opts.gitRemote ? { gitRemote: String(opts.gitRemote) } : {});
    return { action: 'pull', ...r };
  },
  render(out, r) {
    out.line(`${r.after - r.before} new run(s) from ${r.gitRemote} (${r.after} in all).`);
  },
};

// ---------------------------------------------------------------------------------------------
// X2 (h/exp-cli): add the read/maintenance subcommands (ls, show, diff, checkout, rm, gc, promote)
// from their own files here, one import and one list entry each, e.g.
//   import { EXP_READ_SUBCOMMANDS } from './expReadCommands.js';
// and `...EXP_READ_SUBCOMMANDS,` in the list below.
// ---------------------------------------------------------------------------------------------
export const EXP_SUBCOMMANDS: readonly ExpSubcommand<any>[] = [
  serveSubcommand,
  pushSubcommand,
  pullSubcommand,
  ...EXP_READ_SUBCOMMANDS,
];

function find(name: string): ExpSubcommand<any> | undefined {
  return EXP_SUBCOMMANDS.find((s) => s.name === name || s.aliases?.includes(name));
}

export const expCommand = defineCommand<ExpResult>({
  name: 'exp',
  summary: 'experiments recorded from training scripts: serve, push, pull (and ls, show, diff, checkout, rm, gc, promote)',
  examples: EXP_SUBCOMMANDS.flatMap((s) => s.examples),
  configure: (cmd) => {
    let c = cmd
      .argument('<action>', EXP_SUBCOMMANDS.map((s) => s.usage).join('\n'))
      .argument('[args...]', 'arguments of the action');
    for (const s of EXP_SUBCOMMANDS) if (s.options) c = s.options(c);
    return c;
  },
  async run(ctx, args, opts) {
    const action = args[0] as string;
    const sub = find(action);
    if (!sub) throw new TroveError('USAGE', `Unknown exp action "${action}".`, { hint: `Actions: ${EXP_SUBCOMMANDS.map((s) => s.name).join(', ')}. Run trove exp --help for examples.`, data: { action } });
    return (await sub.run(ctx, (args[1] as string[] | undefined) ?? [], opts)) as ExpResult;
  },
  render(out, r) {
    find(r.action)?.render(out, r);
  },
  exitCode(r, opts) {
    return find(r.action)?.exitCode?.(r, opts) ?? 0;
  },
});
