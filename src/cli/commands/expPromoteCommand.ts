import { TroveError } from '../../errors/index.js';
import type { ExpPromoteResult } from '../../api/expPromote.js';
import type { Bump } from '../../core/registryTypes.js';
import type { ExpSubcommand } from './expCommand.js';

export type ExpPromoteRendered = { action: 'promote' } & ExpPromoteResult;

export const expPromoteSubcommand: ExpSubcommand<ExpPromoteRendered> = {
  name: 'promote',
  usage: 'promote CHECKPOINT NAME [--version V] [--bump B]   register a checkpoint as a version of registry model NAME',
  examples: ['trove exp promote 3f2a9c7e modelmnist', 'trove exp promote 3f2a modelmnist --version 2 -m "best of the lr sweep"'],
  options: (cmd) =>
    cmd
      .option('--version <v>', 'promote: an explicit version (v1.2.0, 1.2.0 or 3)')
      .option('--bump <part>', 'promote: major, minor or patch (default registry.bump)')
      .option('-m, --message <text>', 'promote: a note kept with the version'),
  async run(ctx, args, opts) {
    if (args.length !== 2) throw new TroveError('USAGE', 'trove exp promote takes a checkpoint (or experiment) id and an entity name.', { hint: 'trove exp promote 3f2a9c7e modelmnist', data: { reason: 'two-args' } });
    const [{ expPromote }, { openRepo }] = await Promise.all([import('../../api/expPromote.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const r = await expPromote(repo, {
      checkpoint: args[0]!,
      name: args[1]!,
      ...(opts.version !== undefined ? { version: String(opts.version) } : {}),
      ...(opts.bump !== undefined ? { bump: String(opts.bump) as Bump } : {}),
      ...(opts.message !== undefined ? { message: String(opts.message) } : {}),
      force: Boolean(opts.force),
      ...(opts.remote !== undefined ? { remote: String(opts.remote) } : {}),
    });
    return { action: 'promote', ...r };
  },
  render(out, r) {
    out.line(`Registered ${r.tag} from checkpoint ${r.checkpointId.slice(0, 7)}${r.step !== null ? ` (step ${r.step})` : ''} of experiment ${r.experiment.slice(0, 7)}.`);
    if (r.uses.length) out.info(`Lineage: ${r.uses.join(', ')}`);
    for (const w of r.warnings) out.warn(w);
  },
};
