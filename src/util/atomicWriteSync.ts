import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Synchronous temp-file-and-rename write (for caches saved at the end of a command). */
export function atomicWriteSync(target: string, data: string | Uint8Array, mode?: number): void {
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
