import { humanBytes } from '../../util/humanBytes.js';
import { defineCommand } from '../defineCommand.js';
import { parseJobs } from './transferOptions.js';

export const gcCommand = defineCommand({
  name: 'gc',
  summary: 'remove stored objects that no branch, tag, stash, index or work tree refers to (locally, or on a remote with -r)',
  examples: [
    'trove gc --dry-run',
    'trove gc',
    'trove gc --allow-shared   # the cache is shared, and this repo is its only user',
    'git fetch --all && trove gc -r storage --dry-run   # what the remote holds that no ref here needs',
    'trove gc -r storage --grace 7d',
  ],
  configure: (cmd) =>
    cmd
      .option('-n, --dry-run', 'only report what would be removed')
      .option('--allow-shared', 'run even though core.cache points to a shared cache')
      .option('-r, --remote <name>', 'collect garbage on this remote instead of the local store (never by default)')
      .option('--keep-saved <duration>', 'keep local versions saved by checkout --force this long (see trove saved)', '30d')
      .option('--grace <duration>', 'with -r: leave packs younger than this alone, and keep what pushes made in this time relied on (other clones\' commits not fetched here), e.g. 1h, 7d, 0', '24h')
      .option('-j, --jobs <n>', 'with -r: parallel requests', parseJobs),
  async run(ctx, _args, opts) {
    const [{ collectGarbage, gcRemote }, { openRepo }] = await Promise.all([import('../../api/collectGarbage.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    if (opts.remote) {
      const { parseDuration } = await import('../../util/parseDuration.js');
      const graceMs = parseDuration(String(opts.grace), '--grace');
      return { remote: await gcRemote(repo, { remote: String(opts.remote), dryRun: Boolean(opts.dryRun), graceMs, ...(opts.jobs ? { jobs: Number(opts.jobs) } : {}) }) };
    }
    const { parseDuration } = await import('../../util/parseDuration.js');
    return collectGarbage(repo, { dryRun: Boolean(opts.dryRun), allowShared: Boolean(opts.allowShared), keepSavedMs: parseDuration(String(opts.keepSaved), '--keep-saved') });
  },
  render(out, all) {
    if ('remote' in all) {
      const r = all.remote;
      const verb = r.dryRun ? 'Would remove' : 'Removed';
      for (const p of r.deletedPacks) out.line(`${r.dryRun ? 'would delete' : 'deleted'}   pack ${p.slice(0, 16)}… (nothing in it is used)`);
      for (const p of r.repackedPacks) out.line(`${r.dryRun ? 'would repack' : 'repacked'}  pack ${p.from.slice(0, 16)}… (${p.kept} used object(s) kept${p.to ? ` in ${p.to.slice(0, 16)}…` : ''})`);
      for (const p of r.orphanPacks) out.line(`${r.dryRun ? 'would delete' : 'deleted'}   pack ${p.slice(0, 16)}… (no index: an interrupted push)`);
      if (r.tempFiles.length) out.line(`${r.dryRun ? 'would delete' : 'deleted'}   ${r.tempFiles.length} temp file(s) of killed pushes`);
      for (const s of r.skipped) out.line(`skipped   pack ${s.pack.slice(0, 16)}…: ${s.reason}`);
      out.line(`${verb} ${r.deadObjects} unused object(s), ${humanBytes(r.freedBytes)} on ${r.remote}; kept ${r.liveObjects} used by ${r.pointers} pointer version(s).`);
      if (r.claimed) out.info(`${r.claimed} of those pointer version(s) were kept only because a push within the grace period relied on them (a commit this clone has not fetched).`);
      if (r.youngPacks.length) out.info(`${r.youngPacks.length} pack(s) with unused content are younger than the grace period and were left alone.`);
      if (r.skipped.length) out.info('Run trove fsck -r ' + r.remote + ' --thorough to repair the skipped pack(s).');
      if (r.dryRun) out.info('Only what this clone\'s branches, tags, reflogs, index and work tree need is kept: run git fetch --all first so other people\'s branches count.');
      return;
    }
    const r = all;
    out.line(`${r.dryRun ? 'Would remove' : 'Removed'} ${r.removed} object(s), ${humanBytes(r.freedBytes)}; kept ${r.kept} referenced by ${r.pointers} pointer version(s).`);
    const p = r.packs;
    if (p.loosePacked || p.rewritten) out.line(`${r.dryRun ? 'Would pack' : 'Packed'} ${p.loosePacked} loose object(s)${p.rewritten ? ` and rewrite ${p.rewritten} pack(s)` : ''}${r.dryRun ? '' : ` into ${p.written} pack(s)`}.`);
    if (p.retiredWaiting) out.info(`${p.retiredWaiting} replaced pack(s) are kept until commands that started before this gc have ended; the next gc deletes them.`);
  },
  exitCode: (all) => ('remote' in all && all.remote.skipped.length > 0 ? 1 : 0),
});
