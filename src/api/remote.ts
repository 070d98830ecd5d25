import { addRemote, listRemotes, modifyRemote, removeRemote, resolveRemoteName, setDefaultRemote, type RemoteInfo } from '../workspace/remotes.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * Manage remotes in .trove/config.yaml (credentials in config.local.yaml).
 *
 * @example
 *   remote.add(repo, 'storage', 's3://bucket/ml', { makeDefault: true });
 *   remote.modify(repo, 'storage', 'endpoint', 'http://127.0.0.1:9000');
 */
export const remote = {
  add: (repo: Repo, name: string, url: string, options: { makeDefault?: boolean; local?: boolean; force?: boolean } = {}): Promise<RemoteInfo> => addRemote(repo, name, url, options),
  list: (repo: Repo): RemoteInfo[] => listRemotes(repo),
  remove: (repo: Repo, name: string): Promise<void> => removeRemote(repo, name),
  setDefault: (repo: Repo, name: string, options: { local?: boolean } = {}): Promise<void> => setDefaultRemote(repo, name, options),
  getDefault: (repo: Repo): string | undefined => {
    try {
      return resolveRemoteName(repo);
    } catch {
      return undefined;
    }
  },
  modify: (repo: Repo, name: string, key: string, value: string | undefined, options: { local?: boolean } = {}): Promise<{ local: boolean }> => modifyRemote(repo, name, key, value, options),
};
export type { RemoteInfo };
