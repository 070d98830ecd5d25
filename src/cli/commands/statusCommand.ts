import { humanBytes } from '../../util/humanBytes.js';
import { defineCommand } from '../defineCommand.js';
import { paint } from '../Output.js';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'show tracked data that changed, is missing, or whose content is not in the cache',
  examples: ['trove status', 'trove status data/', 'trove status --json | jq .result.clean', 'trove status --exit-code  # exit 1 when anything changed'],
  configure: (cmd) => cmd.argument('[paths...]', 'limit to these tracked paths').option('--exit-code', 'exit with 1 when data differs from its pointer, is missing, or its content is not in the store'),
  async run(ctx, args) {
    const [{ status }, { openRepo }] = await Promise.all([import('../../api/status.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return status(repo, { paths: (args[0] as string[] | undefined) ?? [] });
  },
  render(out, r) {
    if (r.artifacts.length === 0) out.line('Nothing is tracked yet (trove add PATH).');
    for (const a of r.artifacts) {
      const color = a.state === 'unchanged' ? 'green' : a.state === 'modified' ? 'yellow' : 'red';
      out.line(`${paint(out, color, a.state.padEnd(9))} ${a.path}${a.kind === 'dir' ? '/' : ''}${a.inCache ? '' : paint(out, 'red', '  (content not in the local store)')}`);
      const c = a.changes;
      if (c) {
        for (const f of c.added) out.line(`    added:    ${a.path}/${f.path} (${humanBytes(f.size)})`);
        for (const f of c.modified) out.line(`    modified: ${a.path}/${f.path} (${humanBytes(f.oldSize)} -> ${humanBytes(f.newSize)})`);
        for (const f of c.deleted) out.line(`    deleted:  ${a.path}/${f.path}`);
      }
    }
    if (r.artifacts.some((a) => a.state === 'modified')) out.info('Record changes with trove add PATH, or discard them with trove checkout --force PATH.');
    if (r.artifacts.some((a) => a.state === 'missing')) out.info('Restore missing data with trove checkout.');
  },
  exitCode: (r, opts) => (opts.exitCode && !r.clean ? 1 : 0),
});
