import { checkOptions } from './checkOptions.js';
import { addRemote, listRemotes, modifyRemote, removeRemote, resolveRemoteName, setDefaultRemote, type RemoteInfo } from '../sync/remoteConfig.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * Manage remotes in .trove/config.yaml (credentials in config.local.yaml).
 *
 * @example
 *   remote.add(repo, 'storage', 's3://bucket/ml', { makeDefault: true });
 *   remote.modify(repo, 'storage', 'endpoint', 'http://127.0.0.1:9000');
 */
export const remote = {
  add: async (repo: Repo, name: string, url: string, options: { makeDefault?: boolean; local?: boolean; force?: boolean } = {}): Promise<RemoteInfo> => {
    checkOptions('remote.add', repo, { name, url, ...options }, { name: 'string', url: 'string', makeDefault: 'boolean?', local: 'boolean?', force: 'boolean?' });
    return addRemote(repo, name, url, options);
  },
  list: (repo: Repo): RemoteInfo[] => listRemotes(repo),
  remove: async (repo: Repo, name: string): Promise<void> => {
    checkOptions('remote.remove', repo, { name }, { name: 'string' });
    return removeRemote(repo, name);
  },
  setDefault: async (repo: Repo, name: string, options: { local?: boolean } = {}): Promise<void> => {
    checkOptions('remote.setDefault', repo, { name, ...options }, { name: 'string', local: 'boolean?' });
    return setDefaultRemote(repo, name, options);
  },
  getDefault: (repo: Repo): string | undefined => {
    try {
      return resolveRemoteName(repo);
    } catch {
      // none configured, or several without a default: no default to show
      return undefined;
    }
  },
  modify: async (repo: Repo, name: string, key: string, value: string | undefined, options: { local?: boolean } = {}): Promise<{ local: boolean }> => {
    checkOptions('remote.modify', repo, { name, key, value, ...options }, { name: 'string', key: 'string', value: 'string?', local: 'boolean?' });
    return modifyRemote(repo, name, key, value, options);
  },
};
export type { RemoteInfo };
