import { humanBytes } from '../../util/humanBytes.js';
import { plural } from '../../util/plural.js';
import { defineCommand } from '../defineCommand.js';

export const lsCommand = defineCommand({
  name: 'ls',
  summary: 'list tracked artifacts, or the files inside a tracked directory',
  examples: ['trove ls', 'trove ls data', 'trove ls --rev v1.0 data/images', 'trove ls --json'],
  configure: (cmd) => cmd.argument('[path]', 'a tracked directory or a folder inside one').option('--rev <rev>', 'as committed at this Git revision'),
  async run(ctx, args, opts) {
    const [{ listArtifacts }, { openRepo }] = await Promise.all([import('../../api/listArtifacts.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return listArtifacts(repo, { ...(args[0] ? { path: String(args[0]) } : {}), ...(opts.rev ? { rev: String(opts.rev) } : {}) });
  },
  render(out, r) {
    if (r.files) {
      for (const f of r.files) out.line(`${(f.mode === 'symlink' ? '->' : humanBytes(f.size)).padStart(10)}  ${f.oid ? f.oid.slice(7, 19) : ''.padEnd(12)}  ${out.path(f.path)}${f.target ? ` -> ${f.target}` : ''}`);
      return;
    }
    if (r.artifacts.length === 0) out.info('Nothing is tracked yet (trove add PATH).');
    for (const a of r.artifacts) out.line(`${a.kind.padEnd(4)} ${humanBytes(a.size).padStart(10)} ${a.files !== undefined ? plural(a.files, 'file').padStart(13) : ''.padStart(13)}  ${a.oid.slice(7, 19)}  ${out.path(a.path)}`);
  },
});
