import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * mkdir -p that reports the real cause. Node's recursive mkdirSync turns
 * EROFS/EACCES on an ancestor into ENOENT (seen on Node 20 with a read-only
 * tmpfs), which would make a read-only store look like a missing file; on
 * ENOENT we create the chain one level at a time to surface the true errno.
 */
export function mkdirp(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const chain: string[] = [];
    for (let d = dir; d !== dirname(d); d = dirname(d)) chain.unshift(d);
    for (const d of chain) {
      try {
        mkdirSync(d);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }
}
