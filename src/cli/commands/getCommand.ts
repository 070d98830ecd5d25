import type { GetResult } from '../../api/get.js';
import { isTroveError } from '../../errors/index.js';
import { humanBytes } from '../../util/humanBytes.js';
import { plural } from '../../util/plural.js';
import { defineCommand } from '../defineCommand.js';
import { parseJobs } from './transferOptions.js';

export const getCommand = defineCommand<GetResult>({
  name: 'get',
  summary: 'download tracked data from another Git repository and its remote, without cloning it (the copy is not tracked)',
  examples: [
    'trove get https://github.com/org/datasets.git images/cat.jpg',
    'trove get ../datasets data/train.csv -o train.csv --rev v1.0',
    'trove get git@github.com:org/models.git models/resnet.pt -r backup',
    'trove get file:///srv/git/data.git data/images -o images --force',
  ],
  configure: (cmd) =>
    cmd
      .argument('<url>', 'the other Git repository: a URL (https://, ssh://, file://, host:path) or a local path')
      .argument('<path>', 'a path tracked there, or a file or folder inside a tracked directory')
      .option('--rev <rev>', 'branch, tag or commit (default: its default branch)')
      .option('-o, --out <out>', 'where to write (default: the last part of PATH, here)')
      .option('-f, --force', 'replace OUT if it exists')
      .option('-r, --remote <name-or-url>', 'a remote named in its trove config, or a remote URL (default: its default remote)')
      .option('-j, --jobs <n>', 'parallel requests', parseJobs),
  async run(ctx, args, opts) {
    const [{ get }, { openRepo }] = await Promise.all([import('../../api/get.js'), import('../../workspace/Repo.js')]);
    // Inside a trove repository the objects land in its store; anywhere else a temporary one is used.
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter }).catch((err: unknown) => {
      if (isTroveError(err, 'NOT_A_GIT_REPO') || isTroveError(err, 'NOT_INITIALIZED')) return undefined;
      throw err;
    });
    return get({ ...upstreamArgs(args, opts), ...(repo ? { repo } : {}), cwd: ctx.cwd, reporter: ctx.reporter, force: Boolean(opts.force) });
  },
  render(out, r) {
    out.line(`${r.source.artifact === r.source.path ? r.source.path : `${r.source.path} (in ${r.source.artifact})`} → ${r.out} (${what(r)})`);
    out.info(`From ${r.source.url} at ${r.source.commit.slice(0, 12)}${r.source.ref ? ` (${r.source.ref})` : ''}; ${r.objects ? `${plural(r.objects, 'object')}, ${humanBytes(r.bytes)} downloaded from ${r.remote.url}` : 'everything was in the local store already'}.`);
  },
});

/** The arguments get and import share. */
export function upstreamArgs(args: unknown[], opts: Record<string, unknown>): { url: string; path: string; rev?: string; out?: string; remote?: string; jobs?: number } {
  return {
    url: String(args[0]),
    path: String(args[1]),
    ...(opts.rev ? { rev: String(opts.rev) } : {}),
    ...(opts.out ? { out: String(opts.out) } : {}),
    ...(opts.remote ? { remote: String(opts.remote) } : {}),
    ...(opts.jobs ? { jobs: opts.jobs as number } : {}),
  };
}

export function what(r: { kind: 'file' | 'dir'; size: number; files?: number }): string {
  return r.kind === 'dir' ? `${plural(r.files ?? 0, 'file')}, ${humanBytes(r.size)}` : humanBytes(r.size);
}
