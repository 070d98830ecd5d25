import { TroveError } from '../../errors/index.js';
import type { ExpGcResult } from '../../api/expGc.js';
import type { ExpSubcommand } from './expCommand.js';
import { bytes } from './expShowCommand.js';

export type ExpGcRendered = { action: 'gc' } & ExpGcResult;

const count = (flag: string, v: unknown): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0 || String(v).trim() === '') throw new TroveError('USAGE', `${flag} takes a whole number ≥ 0, not "${String(v)}".`, { hint: 'trove exp gc --keep-best 3 --keep-last 1', data: { reason: 'bad-count', flag } });
  return n;
};

export const expGcSubcommand: ExpSubcommand<ExpGcRendered> = {
  name: 'gc',
  usage: 'gc --keep-best K [--keep-last N] [--dry-run]   per run keep the K best and N latest checkpoints; frees what nothing else uses',
  examples: ['trove exp gc --keep-best 3 --keep-last 1 --dry-run', 'trove exp gc --keep-best 1'],
  options: (cmd) =>
    cmd
      .option('--keep-best <k>', 'gc: per run, keep the K checkpoints best by its primary metric')
      .option('--keep-last <n>', 'gc: per run, also keep the N latest checkpoints (default 0)')
      .option('-n, --dry-run', 'gc: report what would be dropped and freed; change nothing'),
  async run(ctx, args, opts) {
    if (args.length) throw new TroveError('USAGE', 'trove exp gc takes no arguments.', { hint: 'trove exp gc --keep-best 3', data: { reason: 'extra-args' } });
    const keepBest = count('--keep-best', opts.keepBest);
    if (keepBest === undefined) throw new TroveError('USAGE', 'trove exp gc needs --keep-best K.', { hint: 'trove exp gc --keep-best 3 --keep-last 1 --dry-run', data: { reason: 'keep-best-missing' } });
    const keepLast = count('--keep-last', opts.keepLast);
    const [{ expGc }, { openRepo }] = await Promise.all([import('../../api/expGc.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return { action: 'gc', ...(await expGc(repo, { keepBest, ...(keepLast !== undefined ? { keepLast } : {}), dryRun: Boolean(opts.dryRun) })) };
  },
  render(out, r) {
    const runs = new Set(r.removed.map((x) => x.experiment)).size;
    out.line(`${r.dryRun ? 'Would drop' : 'Dropped'} ${r.removed.length} checkpoint(s) from ${runs} run(s); ${r.kept} kept.`);
    out.line(`${r.dryRun ? 'Would free' : 'Freed'} ${bytes(r.bytesFreed)} (${r.objectsFreed} store file(s) no other run, checkpoint or commit uses).`);
    if (!r.dryRun && !r.deleted && r.objectsFreed > 0) out.line('A run is live, so nothing was deleted yet: trove gc removes those files once it has stopped.');
    if (r.skipped.length) out.info(`Left alone (still running): ${r.skipped.map((s) => s.slice(0, 7)).join(', ')}.`);
  },
};
