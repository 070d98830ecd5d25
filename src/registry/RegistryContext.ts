import type { Git } from '../platform/git.js';
import type { Config } from '../platform/config.js';

/**
 * What registry/ functions need from an opened repository. registry/ ranks
 * beside workspace/ and may not import it, so it cannot take a Repo by name;
 * a Repo satisfies this interface structurally, and so does a hand-made
 * object in a test or in a tool that has no trove store.
 */
export interface RegistryContext {
  /** absolute path of the Git work tree */
  readonly root: string;
  readonly git: Git;
  readonly config: Config;
}
