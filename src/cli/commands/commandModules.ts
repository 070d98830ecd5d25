import type { CommandSpec } from '../defineCommand.js';

/** One command: its name and how to import its module (only the invoked command's module graph is loaded). */
export interface CommandModule {
  readonly name: string;
  readonly load: () => Promise<CommandSpec<any>>;
}

/**
 * Every command, in the order `trove --help` lists them (one per line, so
 * branches adding commands merge cleanly). Each is imported only when the
 * command line names it: start-up pays for one command's modules, not 35
 * (docs/decisions.md, "Start-up"). `name` must equal the spec's own name;
 * test/unit/cli/commandModules.test.ts checks it.
 */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { name: 'init', load: async () => (await import('./initCommand.js')).initCommand },
  { name: 'add', load: async () => (await import('./addCommand.js')).addCommand },
  { name: 'status', load: async () => (await import('./statusCommand.js')).statusCommand },
  { name: 'checkout', load: async () => (await import('./checkoutCommand.js')).checkoutCommand },
  { name: 'saved', load: async () => (await import('./savedCommand.js')).savedCommand },
  { name: 'diff', load: async () => (await import('./diffCommand.js')).diffCommand },
  { name: 'log', load: async () => (await import('./logCommand.js')).logCommand },
  { name: 'show', load: async () => (await import('./showCommand.js')).showCommand },
  { name: 'ls', load: async () => (await import('./lsCommand.js')).lsCommand },
  { name: 'mv', load: async () => (await import('./mvCommand.js')).mvCommand },
  { name: 'rm', load: async () => (await import('./rmCommand.js')).rmCommand },
  { name: 'gc', load: async () => (await import('./gcCommand.js')).gcCommand },
  { name: 'fsck', load: async () => (await import('./fsckCommand.js')).fsckCommand },
  { name: 'remote', load: async () => (await import('./remoteCommand.js')).remoteCommand },
  { name: 'push', load: async () => (await import('./pushCommand.js')).pushCommand },
  { name: 'fetch', load: async () => (await import('./fetchCommand.js')).fetchCommand },
  { name: 'pull', load: async () => (await import('./pullCommand.js')).pullCommand },
  { name: 'get', load: async () => (await import('./getCommand.js')).getCommand },
  { name: 'import', load: async () => (await import('./importCommand.js')).importCommand },
  { name: 'update', load: async () => (await import('./updateCommand.js')).updateCommand },
  { name: 'install', load: async () => (await import('./installCommand.js')).installCommand },
  { name: 'uninstall', load: async () => (await import('./uninstallCommand.js')).uninstallCommand },
  { name: 'hook', load: async () => (await import('./hookCommand.js')).hookCommand },
  { name: 'merge-driver', load: async () => (await import('./mergeDriverCommand.js')).mergeDriverCommand },
  { name: 'version', load: async () => (await import('./versionCommand.js')).versionCommand },
  { name: 'lineage', load: async () => (await import('./lineageCommand.js')).lineageCommand },
  { name: 'metrics', load: async () => (await import('./metricsCommand.js')).metricsCommand },
  { name: 'create', load: async () => (await import('./createCommand.js')).createCommand },
  { name: 'unlock', load: async () => (await import('./unlockCommand.js')).unlockCommand },
  { name: 'promote', load: async () => (await import('./promoteCommand.js')).promoteCommand },
  { name: 'registry', load: async () => (await import('./registryCommand.js')).registryCommand },
  { name: 'deprecate', load: async () => (await import('./deprecateCommand.js')).deprecateCommand },
  { name: 'exp', load: async () => (await import('./expCommand.js')).expCommand },
  { name: 'params', load: async () => (await import('./paramsCommand.js')).paramsCommand },
  { name: 'ui', load: async () => (await import('./uiCommand.js')).uiCommand },
];
