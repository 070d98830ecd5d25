import { Option } from 'commander';
import { TroveError } from '../../errors/index.js';
import type { Repo } from '../../workspace/Repo.js';
import type { CheckoutVersionResult } from '../../api/checkoutVersion.js';
import { renderSample, sampleFromOptions, sampleOptions } from './sampleOptions.js';
import { LINK_MODES, type LinkMode } from '../../platform/config.js';
import { defineCommand } from '../defineCommand.js';
import { conflictOptions, conflictSide, isCheckoutConflict, renderCheckoutConflict } from './checkoutConflictOptions.js';

export const checkoutCommand = defineCommand({
  name: 'checkout',
  summary: 'make tracked data match the pointers of the work tree or of a Git revision',
  examples: ['trove checkout                      # restore deleted or changed data', 'trove checkout models/model.pt', 'trove checkout --rev HEAD~1        # data of an older commit; HEAD does not move', 'trove checkout --rev v1.0 data/train/cat.jpg', 'trove checkout --force data/       # discard local changes (saved in the store first)', 'trove checkout --theirs data/images/cat/1.jpg   # during a merge conflict: their version of one file', 'trove checkout modelmnist@v1.0.0 --with-deps   # a registered version and the data it was made from', 'trove checkout handwritten__digits__modelmnist__1   # the same, by its ml-git tag', 'trove checkout mnist@v2.0.0 --sample stable:1:10 --seed 7   # a tenth of a dataset version; only those files are downloaded', 'trove checkout mnist@v2.0.0 --full   # all of it again'],
  configure: (cmd) =>
    sampleOptions(conflictOptions(cmd))
      .argument('[paths...]', 'tracked paths, or files inside tracked directories (default: all); or registry versions: NAME@vX.Y.Z, NAME (latest), NAME#STAGE, an ml-git tag')
      .option('--with-deps', 'with registry versions: also the versions they were made from (dataset, labels, …)')
      .option('--full', 'with a dataset version: all of its files (ends a sampled checkout)')
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
    const versioned = await registryCheckout(repo, (args[0] as string[] | undefined) ?? [], opts);
    if (versioned) return versioned;
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
    if ('versions' in r) {
      const rv = r as CheckoutVersionResult;
      for (const v of rv.versions) out.line(`version   ${v.tag} at ${out.path(v.path)}${v.dependency ? ' (made from)' : ''}`);
      for (const s of rv.samples) renderSample(out, s);
      for (const e of rv.unsampled) out.info(`${e} holds its full data again (no longer a sampled checkout).`);
    }
    if ('fetch' in r && r.fetch) out.info(`Fetched ${r.fetch.objects} missing object(s) from ${r.fetch.remote}.`);
    for (const a of r.artifacts) {
      if (a.written || a.deleted) out.line(`restored  ${out.path(a.path)} (${a.written} written, ${a.deleted} removed, ${a.unchanged} unchanged)`);
      else out.line(`unchanged ${out.path(a.path)}`);
    }
    for (const s of r.saved) out.info(`Saved your local version of ${out.path(s.path)} as saved copy ${s.id}: trove saved lists it, trove saved restore ${s.id} [-o PATH] brings it back; gc keeps it for 30 days (trove gc --keep-saved).`);
    if (r.pointers.length) out.info(`Pointer files now match the checked-out revision: ${r.pointers.join(', ')} (git status shows whether they differ from HEAD).`);
    if (isCheckoutConflict(r)) renderCheckoutConflict(out, r);
  },
  exitCode: (r) => (isCheckoutConflict(r) && r.conflicts.length > 0 ? 1 : 0),
});

/** `trove checkout NAME@V …` (the dispatch rule: api/checkoutVersion.ts registryRefsIn); undefined for a path checkout. */
async function registryCheckout(repo: Repo, args: readonly string[], opts: Record<string, unknown>): Promise<CheckoutVersionResult | undefined> {
  const { registryRefsIn, checkoutVersion } = await import('../../api/checkoutVersion.js');
  const refs = registryRefsIn(repo, args);
  const sample = sampleFromOptions(opts);
  if (!refs) {
    if (sample || opts.full) throw new TroveError('USAGE', `--${sample ? 'sample' : 'full'} needs a dataset version to check out.`, { hint: 'trove checkout mnist@v1.0.0 --sample stable:1:10' });
    if (opts.withDeps) throw new TroveError('USAGE', '--with-deps needs a registry version to check out.', { hint: 'trove checkout modelmnist@v1.0.0 --with-deps' });
    return undefined;
  }
  if (opts.rev) throw new TroveError('USAGE', '--rev takes paths; a registry version names its own commit.', { hint: `trove checkout ${refs.join(' ')}` });
  if (sample && opts.full) throw new TroveError('USAGE', '--full and --sample contradict each other.', { hint: `trove checkout ${refs.join(' ')} --full`, data: { rule: 'full-and-sample' } });
  return checkoutVersion(repo, {
    refs,
    withDeps: opts.withDeps === true,
    force: Boolean(opts.force),
    ...(opts.link ? { link: opts.link as LinkMode } : {}),
    ...(opts.remote ? { remote: String(opts.remote) } : {}),
    fetch: opts.fetch !== false,
    ...(sample ? { sample } : {}),
  });
}
