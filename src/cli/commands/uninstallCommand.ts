import { defineCommand } from '../defineCommand.js';
import type { UninstallResult } from '../../hooks/install.js';
import { shortPath } from './installCommand.js';

export const uninstallCommand = defineCommand<UninstallResult>({
  name: 'uninstall',
  summary: "remove trove's Git hooks and merge driver, putting back the hooks they chained",
  examples: ['trove uninstall', 'trove uninstall --global'],
  configure: (cmd) => cmd.option('-g, --global', "undo trove install --global (template directory and global Git config)"),
  async run(ctx, _args, opts) {
    const { uninstall } = await import('../../hooks/install.js');
    return uninstall({ cwd: ctx.cwd, global: Boolean(opts.global) });
  },
  render(out, r) {
    for (const h of r.hooks) {
      if (h.action === 'absent') continue;
      out.line(`${h.action.padEnd(10)} ${shortPath(r.root, `${r.hooksDir}/${h.name}`)}${h.action === 'restored' ? ' (the hook trove had chained is back)' : ''}${h.reason ? `: ${h.reason}` : ''}`);
    }
    out.line(`${r.mergeDriver.action.padEnd(10)} merge driver merge.trove${r.mergeDriver.reason ? `: ${r.mergeDriver.reason}` : ''}`);
    if (r.gitattributes && r.gitattributes.action !== 'absent') out.line(`${r.gitattributes.action.padEnd(10)} .gitattributes: *.trove merge=trove${r.gitattributes.action === 'kept' ? ' (not added by trove install)' : ''}`);
    if (r.templateDirUnset) out.info('Unset init.templateDir (it was trove\'s own template directory).');
  },
});
