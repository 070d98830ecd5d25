import { InvalidArgumentError } from 'commander';
import type { LogResult } from '../../api/artifactLog.js';
import { humanBytes } from '../../util/humanBytes.js';
import { plural } from '../../util/plural.js';
import { defineCommand } from '../defineCommand.js';

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('N must be a whole number of at least 1.');
  return n;
}

export const logCommand = defineCommand<LogResult>({
  name: 'log',
  summary: 'list the commits that changed a tracked file or directory, newest first, with the version each recorded',
  examples: [
    'trove log models/model.pt',
    'trove log -n 5 data',
    'trove log data/images/cat1.jpg     # a file inside a tracked directory',
    'trove log --all models/model.pt    # commits of every branch and tag',
    'trove log --json models/model.pt   # then: trove checkout --rev COMMIT models/model.pt',
  ],
  configure: (cmd) =>
    cmd
      .argument('<path>', 'a tracked file or directory, or a path inside a tracked directory')
      .option('-n, --max-count <n>', 'at most N commits', parseCount)
      .option('--rev <rev>', 'start from this revision (default: HEAD)')
      .option('--all', 'the commits of every branch and tag'),
  async run(ctx, args, opts) {
    const [{ artifactLog }, { openRepo }] = await Promise.all([import('../../api/artifactLog.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return artifactLog(repo, {
      path: String(args[0]),
      ...(opts.rev ? { rev: String(opts.rev) } : {}),
      ...(opts.all ? { all: true } : {}),
      ...(opts.maxCount !== undefined ? { limit: opts.maxCount as number } : {}),
    });
  },
  render(out, r) {
    if (r.commits.length === 0) out.info(`No commit changes ${out.path(r.path)} yet${r.rev ? ` in the history of ${r.rev}` : ''} (its pointer is not committed).`);
    for (const c of r.commits) {
      const when = c.date.slice(0, 16).replace('T', ' ');
      const version =
        c.change === 'unknown' ? '(manifest not in the local store)'.padEnd(40)
        : c.size === undefined ? ''.padEnd(40)
        : `${humanBytes(c.size).padStart(10)} ${(c.files !== undefined ? plural(c.files, 'file') : '').padStart(13)}  ${(c.oid ?? '').slice(7, 19).padEnd(12)}`;
      const moved = c.from !== undefined ? `  [${out.path(c.from)} -> ${out.path(c.path)}]` : '';
      out.line(`${c.commit.slice(0, 12)}  ${when}  ${c.change.padEnd(8)} ${version}  ${c.message} (${c.author})${moved}`);
    }
    if (r.unknown > 0) {
      out.info(`${plural(r.unknown, 'commit')} changed ${r.artifact}, but whether ${r.path} changed there is unknown: a manifest is not in the local store (trove fetch --rev COMMIT ${r.path} brings it).`);
    }
  },
});
