import { checkOptions } from './checkOptions.js';
import { initRepo, type InitResult } from '../workspace/initRepo.js';

export interface InitOptions {
  /** directory inside the Git work tree (default: process.cwd()) */
  readonly cwd?: string;
  /** stage .trove/config.yaml and .trove/.gitignore (default true) */
  readonly stage?: boolean;
}

/**
 * Set up trove in a Git work tree. Idempotent.
 *
 * @example
 *   await init({ cwd: '/path/to/repo' });
 */
export async function init(options: InitOptions = {}): Promise<InitResult> {
  checkOptions('init', null, options, { cwd: 'string?', stage: 'boolean?' });
  return initRepo(options);
}
export type { InitResult };
