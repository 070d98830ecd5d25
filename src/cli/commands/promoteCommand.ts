import { humanBytes } from '../../util/humanBytes.js';
import { defineCommand } from '../defineCommand.js';

export const promoteCommand = defineCommand({
  name: 'promote',
  summary: 'propose a version for a stage: a branch changing the stage file, pushed with its data, and a pull request',
  examples: [
    'trove promote modelmnist@v2.0.0 --to production     # branch, data, tags, pull request (gh or glab)',
    'trove promote modelmnist --to staging                # the latest version',
    'trove promote modelmnist#staging --to production     # what staging holds',
    'trove promote modelmnist@2 --to production --no-pr   # push the branch; print the gh pr create command',
    'trove promote mnist@v3.0.0 --to production --base release -r upstream --data-remote storage',
  ],
  configure: (cmd) =>
    cmd
      .argument('<ref>', 'NAME@vX.Y.Z, NAME@X, NAME (latest), NAME#STAGE or an ml-git tag')
      .requiredOption('--to <stage>', 'the stage (registry.stages in .trove/config.yaml)')
      .option('--base <branch>', 'the branch the pull request targets (default: registry.branch)')
      .option('-r, --remote <git-remote>', 'the Git remote (default: origin, else the only one)')
      .option('--data-remote <name>', 'the trove remote for the data (default: core.remote, else the only one)')
      .option('--branch <name>', 'the branch to create (default: trove/promote/NAME-VERSION-STAGE)')
      .option('--no-pr', 'push the branch but do not open the pull request (the command is printed)')
      .option('--draft', 'open the pull request as a draft')
      .option('--force', 'skip the stage order check (registry.ordered)'),
  async run(ctx, args, opts) {
    const [{ promote }, { openRepo }] = await Promise.all([import('../../api/promote.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return promote(repo, {
      ref: String(args[0]),
      to: String(opts.to),
      ...(opts.base ? { base: String(opts.base) } : {}),
      ...(opts.remote ? { gitRemote: String(opts.remote) } : {}),
      ...(opts.dataRemote ? { dataRemote: String(opts.dataRemote) } : {}),
      ...(opts.branch ? { branch: String(opts.branch) } : {}),
      pr: opts.pr !== false,
      draft: Boolean(opts.draft),
      force: Boolean(opts.force),
    });
  },
  render(out, r) {
    for (const w of r.warnings) out.warn(w);
    out.line(`${r.tag} → ${r.stage}: committed ${r.commit.slice(0, 12)} on branch ${r.branch} (from ${r.base.remote ? `${r.base.remote}/` : ''}${r.base.branch}${r.previous.length ? `; ${r.stage} holds ${r.previous.join(', ')} now` : ''}).`);
    if (r.replaced.length) out.line(`Merging it takes ${r.replaced.join(', ')} out of ${r.stage}.`);
    out.line(`Data of ${r.data.versions.join(', ')} is on ${r.data.remote} (${r.data.objects} object(s), ${humanBytes(r.data.bytes)} sent).`);
    out.line(`Pushed ${r.pushed.join(' ')} to ${r.base.remote}.`);
    const pr = r.pullRequest;
    if (pr.opened) out.line(pr.url ? `Opened the pull request: ${pr.url}` : `Opened the pull request with ${pr.tool}.`);
    else {
      const why = pr.reason === 'no-tool' ? 'neither gh nor glab is installed' : pr.reason === 'not-authenticated' ? `${pr.tool} is not logged in (${pr.tool} auth login)` : pr.reason === 'disabled' ? '--no-pr' : pr.reason;
      out.line(`Pull request not opened (${why}). Open it with:`);
      out.line(`  ${pr.command}`);
    }
  },
});
