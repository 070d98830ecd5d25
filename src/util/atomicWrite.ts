import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/** A temp name next to `target` (same filesystem, so rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Write `data` to `target` through a temp file and rename, so a crash leaves
 * either the old file or the new one, never half of one.
 */
export async function atomicWrite(target: string, data: string | Uint8Array, options: { mode?: number; fsync?: boolean } = {}): Promise<void> {
  const tmp = tempPathFor(target);
  try {
    const fh = await fsp.open(tmp, 'wx', options.mode ?? 0o644);
    try {
      await fh.writeFile(data);
      if (options.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, target);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
