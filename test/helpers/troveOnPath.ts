import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BIN } from './tmpRepo.js';

/**
 * Make the built CLI callable as `trove` from Git hooks: writes an executable
 * `trove` script (running `node BIN`) into `dir/bin` and returns an
 * environment whose PATH starts there. Git runs the hooks with this PATH.
 */
export function troveOnPath(dir: string, env: NodeJS.ProcessEnv = process.env): { binDir: string; env: NodeJS.ProcessEnv } {
  const binDir = join(dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const shim = join(binDir, 'trove');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  return { binDir, env: { ...env, PATH: `${binDir}${delimiter}${env.PATH ?? ''}` } };
}

/** PATH without any directory holding a `trove`: a machine where trove is not installed (git and sh stay). */
export function pathWithoutTrove(path: string): string {
  return path
    .split(delimiter)
    .filter((d) => d !== '' && !existsSync(join(d, 'trove')))
    .join(delimiter);
}
