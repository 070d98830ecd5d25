import { Option } from 'commander';
import type { UpdateResult } from '../../api/update.js';
import { LINK_MODES, type LinkMode } from '../../platform/config.js';
import { humanBytes } from '../../util/humanBytes.js';
import { defineCommand } from '../defineCommand.js';
import { paint } from '../Output.js';
import { parseJobs } from './transferOptions.js';

export const updateCommand = defineCommand<UpdateResult>({
  name: 'update',
  summary: 'bring imported data up to date with the repository it came from',
  examples: ['trove update                        # every imported artifact', 'trove update data/images', 'trove update data/images --rev v2.0   # follow another branch or tag from now on', 'trove update --force data/train.csv   # discard local changes (saved in the store first)'],
  configure: (cmd) =>
    cmd
      .argument('[paths...]', 'imported paths, or directories holding them (default: all imported data)')
      .option('--rev <rev>', 'branch, tag or commit to move to (recorded for later updates)')
      .option('-f, --force', 'overwrite local changes to the data (saved in the store first)')
      .option('-j, --jobs <n>', 'parallel requests', parseJobs)
      .option('--no-stage', 'do not git add the rewritten pointers')
      .addOption(new Option('--link <mode>', 'how files are placed').choices([...LINK_MODES])),
  async run(ctx, args, opts) {
    const [{ update }, { openRepo }] = await Promise.all([import('../../api/update.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return update(repo, {
      paths: (args[0] as string[] | undefined) ?? [],
      ...(opts.rev ? { rev: String(opts.rev) } : {}),
      force: Boolean(opts.force),
      ...(opts.jobs ? { jobs: opts.jobs as number } : {}),
      ...(opts.stage === false ? { stage: false } : {}),
      ...(opts.link ? { link: opts.link as LinkMode } : {}),
    });
  },
  render(out, r) {
    if (r.artifacts.length === 0) out.line('Nothing here was imported (trove import URL PATH).');
    for (const a of r.artifacts) {
      const commits = `${a.oldCommit.slice(0, 12)} → ${a.newCommit.slice(0, 12)}`;
      if (!a.updated) out.line(`${paint(out, 'dim', 'up to date')} ${out.path(a.path)} (${a.source.url} ${a.source.path} at ${a.newCommit.slice(0, 12)})`);
      else out.line(`${paint(out, 'green', 'updated   ')} ${out.path(a.path)} (${commits}; ${a.dataChanged ? `${a.oldOid.slice(0, 19)}… → ${a.newOid.slice(0, 19)}…` : 'data unchanged'})`);
    }
    if (r.objects) out.info(`Downloaded ${r.objects} object(s), ${humanBytes(r.bytes)}.`);
    if (r.staged.length) out.info(`Staged ${r.staged.join(', ')}; commit with git commit.`);
  },
});
