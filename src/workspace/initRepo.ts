import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG_TEXT } from '../platform/config.js';
import { createGit, findWorkTree } from '../platform/git.js';
import { atomicWrite } from '../util/atomicWrite.js';
import { TROVE_DIR } from './Repo.js';

export interface InitResult {
  readonly root: string;
  readonly created: boolean;
  /** repository paths staged in Git */
  readonly staged: string[];
}

export const TROVE_GITIGNORE = `# trove's local state: never committed
/cache/
/tmp/
/config.local.yaml
`;

/** Create .trove/ (config committed, cache and temp ignored) and stage it. Idempotent. */
export async function initRepo(options: { cwd?: string; stage?: boolean } = {}): Promise<InitResult> {
  const root = await findWorkTree(resolve(options.cwd ?? process.cwd()));
  const dir = join(root, TROVE_DIR);
  const configFile = join(dir, 'config.yaml');
  const created = !existsSync(configFile);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  mkdirSync(join(dir, 'cache'), { recursive: true });
  if (created) await atomicWrite(configFile, DEFAULT_CONFIG_TEXT);
  if (!existsSync(join(dir, '.gitignore'))) await atomicWrite(join(dir, '.gitignore'), TROVE_GITIGNORE);
  const staged = [`${TROVE_DIR}/config.yaml`, `${TROVE_DIR}/.gitignore`];
  if (options.stage !== false) await createGit(root).run(['add', '--', ...staged]);
  return { root, created, staged: options.stage !== false ? staged : [] };
}
