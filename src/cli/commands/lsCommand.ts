import { humanBytes } from '../../util/humanBytes.js';
import { plural } from '../../util/plural.js';
import { defineCommand } from '../defineCommand.js';

export const lsCommand = defineCommand({
  name: 'ls',
  summary: 'list tracked artifacts, or the files inside a tracked directory',
  examples: ['trove ls', 'trove ls data', 'trove ls --rev v1.0 data/images', 'trove ls --json'],
  configure: (cmd) => cmd.argument('[path]', 'a tracked directory or a folder inside one').option('--rev <rev>', 'as committed at this Git revision'),
  async run(ctx, args, opts) {
    const [{ streamListing }, { openRepo }] = await Promise.all([import('../../api/streamListing.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    // The files stream (text and --json): a directory of 1,000,000 files is printed as its manifest pages are read.
    return streamListing(repo, { ...(args[0] ? { path: String(args[0]) } : {}), ...(opts.rev ? { rev: String(opts.rev) } : {}) });
  },
  async render(out, r) {
    if (r.files) {
      await out.stream(r.files, (f) => `${(f.mode === 'symlink' ? '->' : humanBytes(f.size)).padStart(10)}  ${f.oid ? f.oid.slice(7, 19) : ''.padEnd(12)}  ${out.path(f.path)}${f.target ? ` -> ${f.target}` : ''}\n`);
      return;
    }
    if (r.artifacts.length === 0) out.info('Nothing is tracked yet (trove add PATH).');
    for (const a of r.artifacts) out.line(`${a.kind.padEnd(4)} ${humanBytes(a.size).padStart(10)} ${a.files !== undefined ? plural(a.files, 'file').padStart(13) : ''.padStart(13)}  ${a.oid.slice(7, 19)}  ${out.path(a.path)}`);
  },
});
