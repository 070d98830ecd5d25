import { TroveError } from '../../errors/index.js';
import type { ExpCheckoutResult } from '../../api/expCheckout.js';
import type { ExpSubcommand } from './expCommand.js';

export type ExpCheckoutRendered = { action: 'checkout' } & ExpCheckoutResult;

export const expCheckoutSubcommand: ExpSubcommand<ExpCheckoutRendered> = {
  name: 'checkout',
  aliases: ['co'],
  usage: 'checkout ID [-o DIR] [--code]   a checkpoint\'s files (a run: its best checkpoint, else its latest) at their paths or under DIR',
  examples: ['trove exp checkout 3f2a                 # model.pth back where the script wrote it', 'trove exp checkout 3f2a -o best --code   # best/model.pth and best/code/… as it ran', 'trove --json exp checkout 3f2a9c7e -o /tmp/ck'],
  options: (cmd) =>
    cmd
      .option('-o, --output <dir>', 'checkout: write under DIR (paths relative to the repository root) instead of in place')
      .option('--code', 'checkout: also write the code as it ran (commit + uncommitted changes) to DIR/code (needs -o)')
      .option('-f, --force', 'checkout/promote: overwrite local changes; rm: remove a run still marked running')
      .option('--no-fetch', 'checkout: never ask a remote for missing content'),
  async run(ctx, args, opts) {
    if (args.length !== 1) throw new TroveError('USAGE', 'trove exp checkout takes one experiment or checkpoint id.', { hint: 'trove exp checkout 3f2a -o best', data: { reason: 'one-id' } });
    const [{ expCheckout }, { openRepo }] = await Promise.all([import('../../api/expCheckout.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const r = await expCheckout(repo, {
      id: args[0]!,
      ...(opts.output !== undefined ? { out: String(opts.output) } : {}),
      code: Boolean(opts.code),
      force: Boolean(opts.force),
      ...(opts.remote !== undefined ? { remote: String(opts.remote) } : {}),
      ...(opts.fetch === false ? { fetch: false } : {}),
    });
    return { action: 'checkout', ...r };
  },
  render(out, r) {
    for (const p of r.written) out.line(p);
    out.info(`Checkpoint ${r.checkpoint?.slice(0, 7) ?? '(none)'}${r.step !== null ? ` (step ${r.step})` : ''} of experiment ${r.experiment.slice(0, 7)}: ${r.written.length} file(s) written, ${r.unchanged.length} already up to date${r.fetched.objects ? `, ${r.fetched.objects} object(s) fetched` : ''}.`);
    if (r.code) out.info(`Code as it ran (${r.code.commit ? r.code.commit.slice(0, 12) : 'no commit'}${r.code.dirty ? ' + uncommitted changes' : ''}) in ${r.code.dir}.`);
  },
};
