import { Option } from 'commander';
import { MUTABILITIES, type Mutability } from '../../core/registryTypes.js';
import { defineCommand } from '../defineCommand.js';
import { collect } from './transferOptions.js';
import type { CreateEntityResult } from '../../api/createEntity.js';

export const createCommand = defineCommand<CreateEntityResult>({
  name: 'create',
  summary: 'declare a registry entity (a dataset, labels, a model, or a type of your own) whose versions trove version records',
  examples: [
    'trove create dataset mnist --category handwritten --category digits',
    'trove create labels labelsmnist --category handwritten --category digits --mutability strict',
    'trove create model modelmnist --category handwritten --category digits --mutability mutable',
    'trove create model resnet --path models/resnet --description "image classifier"',
  ],
  configure: (cmd) =>
    cmd
      .argument('<type>', 'dataset, labels, model, or a type listed in registry.types')
      .argument('<name>', 'lowercase letters, digits and "-"')
      .option('--category <name>', 'a category (repeatable; ml-git lays the data out under TYPE/CATEGORY…/NAME)', collect)
      .addOption(new Option('--mutability <mode>', 'strict: versions may only add files; flexible: files read-only until trove unlock; mutable: anything goes').choices([...MUTABILITIES]).default('strict'))
      .option('--path <path>', 'where the data lives (default TYPE/CATEGORY…/NAME)')
      .option('--description <text>', 'one line about it'),
  async run(ctx, args, opts) {
    const [{ createEntity }, { openRepo }] = await Promise.all([import('../../api/createEntity.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return createEntity(repo, {
      type: String(args[0]),
      name: String(args[1]),
      categories: (opts.category as string[] | undefined) ?? [],
      mutability: opts.mutability as Mutability,
      ...(opts.path !== undefined ? { path: String(opts.path) } : {}),
      ...(opts.description !== undefined ? { description: String(opts.description) } : {}),
    });
  },
  render(out, r) {
    out.line(`created   ${r.entity.type} ${r.entity.name} (${r.entity.mutability}) at ${out.path(r.entity.path)}`);
    out.info(`Declared in ${r.file} (staged; its first trove version commits it, or commit it yourself). Put the data in ${out.path(r.entity.path)}, then: trove version ${r.entity.name}`);
    if (r.followTags) out.info('Set push.followTags=true in this clone\'s Git config, so git push also sends the version tags.');
  },
});
