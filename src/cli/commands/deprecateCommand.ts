import { defineCommand } from '../defineCommand.js';

export const deprecateCommand = defineCommand({
  name: 'deprecate',
  summary: 'deprecate a version (NAME@V) or a whole entity (NAME) with a GTO-compatible tag',
  examples: ['trove deprecate modelmnist@v1.0.0 -m "trained on leaked test data"', 'trove deprecate oldmodel          # the whole entity', 'git push origin --tags             # share it'],
  configure: (cmd) => cmd.argument('<ref>', 'NAME@VERSION (one version) or NAME (the entity)').option('-m, --message <text>', 'why (kept in the tag message)'),
  async run(ctx, args, opts) {
    const [{ deprecate }, { openRepo }] = await Promise.all([import('../../api/deprecate.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return deprecate(repo, { ref: String(args[0]), ...(opts.message !== undefined ? { message: String(opts.message) } : {}) });
  },
  render(out, r) {
    out.line(`Deprecated ${r.version ? `${r.entity} ${r.version}` : r.entity}: tag ${r.tag} on ${r.commit.slice(0, 12)}.`);
    out.info(`Share it with: ${r.pushCommand}`);
  },
});
