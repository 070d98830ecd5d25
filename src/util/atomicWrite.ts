import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/** Random once per process, then a counter: unique names without 20,000 calls into the CSPRNG for a checkout. */
const TEMP_TAG = `${process.pid}-${randomBytes(4).toString('hex')}`;
let tempCounter = 0;

/** A temp name next to `target` (same filesystem, so rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${TEMP_TAG}-${(tempCounter++).toString(36)}`);
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
    await fsp.rm(tmp, { force: true }).catch(() => undefined); // cleanup only: the write's own error is rethrown below
    throw err;
  }
}
