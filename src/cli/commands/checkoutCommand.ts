import { Option } from 'commander';
import { LINK_MODES, type LinkMode } from '../../platform/config.js';
import { defineCommand } from '../defineCommand.js';
import { conflictOptions, conflictSide, isConflictCheckout, renderConflictCheckout } from './conflictCheckout.js';

export const checkoutCommand = defineCommand({
  name: 'checkout',
  summary: 'make tracked data match the pointers of the work tree or of a Git revision',
  examples: ['trove checkout                      # restore deleted or changed data', 'trove checkout models/model.pt', 'trove checkout --rev HEAD~1        # data of an older commit; HEAD does not move', 'trove checkout --rev v1.0 data/train/cat.jpg', 'trove checkout --force data/       # discard local changes (saved in the store first)', 'trove checkout --theirs data/images/cat/1.jpg   # during a merge conflict: their version of one file'],
  configure: (cmd) =>
    conflictOptions(cmd)
      .argument('[paths...]', 'tracked paths, or files inside tracked directories (default: all)')
      .option('--rev <rev>', 'take the pointers from this Git revision')
      .option('-f, --force', 'overwrite local changes that were not added (their content is saved in the store first)')
      .addOption(new Option('--link <mode>', 'how files are placed').choices([...LINK_MODES]))
      .option('-r, --remote <name>', 'fetch content missing from the local store from this remote (default: core.remote)')
      .option('--no-fetch', 'never contact a remote; fail on content missing from the local store'),
  async run(ctx, args, opts) {
    const [{ checkout }, { openRepo }] = await Promise.all([import('../../api/checkout.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const side = conflictSide(opts);
    if (side) return (await import('../../api/checkoutConflict.js')).checkoutConflict(repo, { side, paths: (args[0] as string[] | undefined) ?? [], force: Boolean(opts.force), ...(opts.link ? { link: opts.link as LinkMode } : {}) });
    return checkout(repo, {
      paths: (args[0] as string[] | undefined) ?? [],
      ...(opts.rev ? { rev: String(opts.rev) } : {}),
      force: Boolean(opts.force),
      ...(opts.link ? { link: opts.link as LinkMode } : {}),
      ...(opts.remote ? { remote: String(opts.remote) } : {}),
      fetch: opts.fetch !== false,
    });
  },
  render(out, r) {
    if ('fetch' in r && r.fetch) out.info(`Fetched ${r.fetch.objects} missing object(s) from ${r.fetch.remote}.`);
    for (const a of r.artifacts) {
      if (a.written || a.deleted) out.line(`restored  ${out.path(a.path)} (${a.written} written, ${a.deleted} removed, ${a.unchanged} unchanged)`);
      else out.line(`unchanged ${out.path(a.path)}`);
    }
    for (const s of r.saved) out.info(`Saved your local version of ${out.path(s.path)} as saved copy ${s.id}: trove saved lists it, trove saved restore ${s.id} [-o PATH] brings it back; gc keeps it for 30 days (trove gc --keep-saved).`);
    if (r.pointers.length) out.info(`Pointer files now match the checked-out revision: ${r.pointers.join(', ')} (git status shows whether they differ from HEAD).`);
    if (isConflictCheckout(r)) renderConflictCheckout(out, r);
  },
  exitCode: (r) => (isConflictCheckout(r) && r.conflicts.length > 0 ? 1 : 0),
});
