import { TroveError } from '../../errors/index.js';
import type { RestoreSavedResult, SavedListResult } from '../../api/saved.js';
import { humanBytes } from '../../util/humanBytes.js';
import { defineCommand } from '../defineCommand.js';

type SavedResult = ({ action: 'list' } & SavedListResult) | ({ action: 'restore' } & RestoreSavedResult);

export const savedCommand = defineCommand<SavedResult>({
  name: 'saved',
  summary: 'list the local versions checkout --force saved before overwriting them, and restore one',
  examples: ['trove saved                           # id, time, path, oid, size', 'trove saved restore 3                 # back where it was (refused if something is there)', 'trove saved restore 3 -o model.mine.pt', 'trove saved restore 3 --force         # replace what is there now'],
  configure: (cmd) =>
    cmd
      .argument('[action]', 'list (default) | restore ID')
      .argument('[id]', 'restore: the id trove saved lists')
      .option('-o, --output <path>', 'restore: write it here instead of where it was')
      .option('-f, --force', 'restore: replace what is at the destination'),
  async run(ctx, args, opts) {
    const [{ listSaved, restoreSaved }, { openRepo }] = await Promise.all([import('../../api/saved.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const action = (args[0] as string | undefined) ?? 'list';
    if (action === 'list') return { action: 'list', ...(await listSaved(repo)) };
    if (action !== 'restore') throw new TroveError('USAGE', `Unknown action "${action}" for trove saved.`, { hint: 'Use trove saved (list) or trove saved restore ID [-o PATH].' });
    if (!args[1]) throw new TroveError('USAGE', 'trove saved restore needs the id of a saved copy.', { hint: 'List them with trove saved.' });
    return { action: 'restore', ...(await restoreSaved(repo, { id: String(args[1]), ...(opts.output ? { output: String(opts.output) } : {}), force: Boolean(opts.force) })) };
  },
  render(out, r) {
    if (r.action === 'restore') {
      out.line(`Restored saved copy ${r.id} (${r.path}) to ${r.output}.`);
      return;
    }
    if (r.saved.length === 0) out.line('No saved copies (checkout --force saves local changes here before overwriting them).');
    for (const s of r.saved) out.line(`${s.id.padStart(4)}  ${s.time.replace('T', ' ').slice(0, 19)}  ${s.path}  ${s.oid.slice(0, 19)}…  ${humanBytes(s.size)}${s.available ? '' : '  (removed by gc)'}`);
    if (r.saved.length) out.info(`Restore one with trove saved restore ID [-o PATH]; gc keeps each for ${Math.round(r.keepMs / 86_400_000)} days (trove gc --keep-saved).`);
  },
});
