import { Option } from 'commander';
import type { ImportResult } from '../../api/importArtifact.js';
import { LINK_MODES, type LinkMode } from '../../platform/config.js';
import { humanBytes } from '../../util/humanBytes.js';
import { plural } from '../../util/plural.js';
import { defineCommand } from '../defineCommand.js';
import { upstreamArgs, what } from './getCommand.js';
import { parseJobs } from './transferOptions.js';

export const importCommand = defineCommand<ImportResult>({
  name: 'import',
  summary: 'bring tracked data from another Git repository into this one, recording where it came from (trove update refreshes it)',
  examples: [
    'trove import https://github.com/org/datasets.git images -o data/images',
    'trove import ../datasets data/train.csv --rev v1.0',
    'trove import git@github.com:org/models.git models/resnet.pt -r backup',
    'trove import ../datasets images && git commit -m "import images"',
  ],
  configure: (cmd) =>
    cmd
      .argument('<url>', 'the other Git repository: a URL (https://, ssh://, file://, host:path) or a local path')
      .argument('<path>', 'a path tracked there, or a file or folder inside a tracked directory')
      .option('--rev <rev>', 'branch, tag or commit to follow (default: its default branch)')
      .option('-o, --out <out>', 'data path here (default: the last part of PATH, in the current directory)')
      .option('-f, --force', 'import over existing data or a pointer (local changes are saved in the store first)')
      .option('-r, --remote <name-or-url>', 'a remote named in its trove config, or a remote URL (default: its default remote)')
      .option('-j, --jobs <n>', 'parallel requests', parseJobs)
      .option('--no-stage', 'do not git add the pointer and .gitignore')
      .addOption(new Option('--link <mode>', 'how files are placed').choices([...LINK_MODES])),
  async run(ctx, args, opts) {
    const [{ importArtifact }, { openRepo }] = await Promise.all([import('../../api/importArtifact.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return importArtifact(repo, { ...upstreamArgs(args, opts), force: Boolean(opts.force), ...(opts.stage === false ? { stage: false } : {}), ...(opts.link ? { link: opts.link as LinkMode } : {}) });
  },
  render(out, r) {
    out.line(`imported ${out.path(r.out)} (${what(r)}) from ${r.source.url} ${r.source.path} at ${r.source.commit.slice(0, 12)}${r.source.ref ? ` (${r.source.ref})` : ''}`);
    out.info(r.objects ? `Downloaded ${plural(r.objects, 'object')}, ${humanBytes(r.bytes)} from ${r.remote.url}.` : 'Everything was in the local store already.');
    if (r.staged.length) out.info(`Staged ${r.pointer}; commit with git commit. trove update ${r.out} brings newer versions.`);
  },
});
