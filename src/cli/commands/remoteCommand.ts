import { TroveError } from '../../errors/index.js';
import { defineCommand } from '../defineCommand.js';

type RemoteResult =
  | { action: 'list'; remotes: { name: string; url: string; scheme: string; isDefault: boolean; settings: Record<string, unknown> }[] }
  | { action: 'add' | 'remove' | 'default' | 'modify'; name: string; message: string; local?: boolean };

const usage = (why: string): TroveError => new TroveError('USAGE', why, { hint: 'Run trove remote --help for the actions and examples.' });

export const remoteCommand = defineCommand<RemoteResult>({
  name: 'remote',
  summary: 'add, list, remove and configure remotes (directory, s3, azure, gs, ssh, https)',
  examples: [
    'trove remote add -d storage /mnt/shared/trove        # a local or network-mounted directory',
    'trove remote add -d storage s3://my-bucket/ml-data',
    'trove remote modify storage endpoint http://127.0.0.1:9000   # MinIO, Ceph, R2…',
    'trove remote modify storage secret_access_key KEY    # secrets always go to the git-ignored config.local.yaml',
    'trove remote add backup ssh://me@nas.local:2222/srv/trove',
    'trove remote list',
    'trove remote default backup',
    'trove remote remove backup',
  ],
  configure: (cmd) =>
    cmd
      .argument('[action]', 'list (default) | add NAME URL | remove NAME | default [NAME] | modify NAME KEY [VALUE]')
      .argument('[args...]', 'arguments of the action')
      .option('-d, --default', 'add: make it the default remote')
      .option('--local', 'write to .trove/config.local.yaml (git-ignored) instead of the committed config')
      .option('-f, --force', 'add: replace a remote of the same name')
      .option('-u, --unset', 'modify: remove the setting'),
  async run(ctx, args, opts) {
    const [{ remote }, { openRepo }] = await Promise.all([import('../../api/remote.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const action = (args[0] as string | undefined) ?? 'list';
    const rest = (args[1] as string[] | undefined) ?? [];
    const local = Boolean(opts.local);
    const need = (n: number, what: string): void => {
      if (rest.length !== n) throw usage(`trove remote ${action} takes ${what}.`);
    };
    switch (action) {
      case 'list':
      case 'ls':
        need(0, 'no arguments');
        return { action: 'list', remotes: remote.list(repo) };
      case 'add': {
        need(2, 'NAME URL');
        const info = await remote.add(repo, rest[0]!, rest[1]!, { makeDefault: Boolean(opts.default), local, force: Boolean(opts.force) });
        return { action: 'add', name: info.name, local, message: `Added remote ${info.name} → ${info.url}${info.isDefault ? ' (default)' : ''} in .trove/${local ? 'config.local.yaml' : 'config.yaml'}.` };
      }
      case 'remove':
      case 'rm':
        need(1, 'NAME');
        await remote.remove(repo, rest[0]!);
        return { action: 'remove', name: rest[0]!, message: `Removed remote ${rest[0]}. Data already on it is untouched.` };
      case 'default':
        if (rest.length === 0) {
          const name = remote.getDefault(repo);
          return { action: 'default', name: name ?? '', message: name ? name : 'No default remote.' };
        }
        need(1, 'NAME');
        await remote.setDefault(repo, rest[0]!, { local });
        return { action: 'default', name: rest[0]!, message: `Default remote is now ${rest[0]}.` };
      case 'modify': {
        if (opts.unset) need(2, 'NAME KEY with --unset');
        else need(3, 'NAME KEY VALUE');
        const r = await remote.modify(repo, rest[0]!, rest[1]!, opts.unset ? undefined : rest[2]!, { local });
        return { action: 'modify', name: rest[0]!, local: r.local, message: `${opts.unset ? 'Unset' : 'Set'} ${rest[1]} of ${rest[0]} in .trove/${r.local ? 'config.local.yaml (git-ignored)' : 'config.yaml'}.` };
      }
      default:
        throw usage(`Unknown remote action "${action}".`);
    }
  },
  render(out, r) {
    if (r.action !== 'list') return out.line(r.message);
    if (r.remotes.length === 0) return out.info('No remotes. Add one: trove remote add -d storage /path/or/s3://bucket/prefix');
    for (const x of r.remotes) {
      const extra = Object.entries(x.settings).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      out.line(`${x.isDefault ? '*' : ' '} ${x.name}\t${x.url}${extra ? `\t${extra}` : ''}`);
    }
  },
});
