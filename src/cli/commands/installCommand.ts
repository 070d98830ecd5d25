import { relative } from 'node:path';
import { defineCommand } from '../defineCommand.js';
import type { Output } from '../Output.js';
import type { InstallResult } from '../../hooks/install.js';

export const installCommand = defineCommand<InstallResult>({
  name: 'install',
  summary: "install trove's Git hooks (existing hooks are kept and run first) and the pointer merge driver",
  examples: [
    'trove install                 # this repository: hooks, merge driver, *.trove merge=trove in .gitattributes',
    'trove install --global        # every repository cloned or created from now on, and the global merge driver',
    'trove install --force         # install even where husky or the pre-commit framework manages the hooks',
    'trove uninstall               # put back exactly what was there',
  ],
  configure: (cmd) =>
    cmd
      .option('-g, --global', "for every repository cloned or created from now on (Git's template directory) and the global Git config")
      .option('-f, --force', 'install even where husky or the pre-commit framework manages the hooks'),
  async run(ctx, _args, opts) {
    const { install } = await import('../../hooks/install.js');
    return install({ cwd: ctx.cwd, global: Boolean(opts.global), force: Boolean(opts.force) });
  },
  render(out, r) {
    if (r.manager) return renderManager(out, r);
    for (const h of r.hooks) {
      const path = shortPath(r.root, `${r.hooksDir}/${h.name}`);
      if (h.action === 'skipped') out.line(`skipped    ${path}: ${h.reason}`);
      else out.line(`${h.action.padEnd(10)} ${path}${h.chained ? ` (runs ${shortPath(r.root, h.chained)} first)` : ''}`);
    }
    renderRest(out, r);
  },
});

/** A path inside the work tree as Git users write it; others absolute. */
export function shortPath(root: string | undefined, p: string): string {
  if (!root) return p;
  const rel = relative(root, p);
  return rel && !rel.startsWith('..') ? rel : p;
}

function renderManager(out: Output, r: InstallResult): void {
  const m = r.manager!;
  out.line(`${m.name} manages the Git hooks here (${m.evidence}), so trove wrote none. Add these lines instead:`);
  for (const a of m.add) {
    out.line('');
    out.line(`# ${a.file}`);
    for (const l of a.lines) out.line(l);
  }
  if (m.then) out.line(`\nthen run: ${m.then}`);
  out.line('');
  out.info('(or run trove install --force to chain trove\'s hooks into the hooks directory anyway)');
  renderRest(out, r);
}

function renderRest(out: Output, r: InstallResult): void {
  const md = r.mergeDriver;
  out.line(md.action === 'skipped' ? `skipped    merge driver: ${md.reason}` : `${md.action.padEnd(10)} merge driver merge.trove (${r.scope === 'global' ? 'global' : 'local'} Git config)`);
  if (r.gitattributes) out.line(`${r.gitattributes.action.padEnd(10)} .gitattributes: *.trove merge=trove${r.gitattributes.staged ? ' (staged; commit it so every clone merges pointers with trove)' : ''}`);
  if (r.templateDir) out.info(`New clones get the hooks from Git's template directory ${r.templateDir}; in existing clones run trove install.`);
}
