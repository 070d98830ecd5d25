import type { ShowResult } from '../../api/show.js';
import { humanBytes } from '../../util/humanBytes.js';
import { plural } from '../../util/plural.js';
import { defineCommand } from '../defineCommand.js';

export const showCommand = defineCommand<ShowResult>({
  name: 'show',
  summary: 'show the data state of a commit: every tracked artifact, its version, and whether its content is here',
  examples: ['trove show HEAD~1', 'trove show v1.0 models/', 'trove show --files HEAD data/images', 'trove show -r storage HEAD~3        # also: is the content on the remote?', 'trove show --json HEAD'],
  configure: (cmd) =>
    cmd
      .argument('<rev>', 'a commit id, branch, tag or other Git revision')
      .argument('[path]', 'only artifacts under this path (or the tracked directory containing it)')
      .option('--files', 'also list the files PATH selects inside a tracked directory')
      .option('-r, --remote <name>', 'also tell whether the content is on this remote'),
  async run(ctx, args, opts) {
    const [{ show }, { openRepo }] = await Promise.all([import('../../api/show.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return show(repo, {
      rev: String(args[0]),
      ...(args[1] ? { path: String(args[1]) } : {}),
      ...(opts.files ? { files: true } : {}),
      ...(opts.remote ? { remote: String(opts.remote) } : {}),
    });
  },
  render(out, r) {
    out.line(`commit ${r.commit}${r.rev !== r.commit ? ` (${r.rev})` : ''}`);
    out.line(`Author: ${r.author} <${r.email}>`);
    out.line(`Date:   ${r.date}`);
    out.line('');
    out.line(`    ${r.message}`);
    out.line('');
    if (r.artifacts.length === 0) out.line('No data tracked by trove at this commit.');
    const width = `not on ${r.remote}`.length;
    for (const a of r.artifacts) {
      const remote = a.onRemote === undefined ? '' : `  ${(a.onRemote ? `on ${r.remote}` : `not on ${r.remote}`).padEnd(width)}`;
      out.line(`${a.kind.padEnd(4)} ${humanBytes(a.size).padStart(10)} ${(a.files !== undefined ? plural(a.files, 'file') : '').padStart(13)}  ${a.oid.slice(7, 19)}  ${a.inStore ? 'here   ' : 'missing'}${remote}  ${out.path(a.path)}`);
    }
    if (r.files) {
      out.line('');
      for (const f of r.files) out.line(`${(f.mode === 'symlink' ? '->' : humanBytes(f.size)).padStart(10)}  ${f.oid ? f.oid.slice(7, 19) : ''.padEnd(12)}  ${f.inStore === false ? 'missing' : '       '}  ${out.path(f.path)}${f.target ? ` -> ${f.target}` : ''}`);
    }
    if (r.artifacts.some((a) => !a.inStore)) out.info(`"missing": not in the local store; trove checkout --rev ${r.rev} PATH fetches it from the remote when it is there.`);
  },
});
