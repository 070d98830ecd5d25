import { statSync } from 'node:fs';
import { join } from 'node:path';
import { PACK_TARGET } from './PackWriter.js';
import { AUTO_PACK_MAX_BYTES, GEOMETRIC_MAX_PACKS, listPacks, repackStore, type RepackOptions, type RepackResult } from './repack.js';
import { deleteRetired, PACKS_DIR } from './retire.js';
import { safeReaddir } from '../storeListing.js';

export interface AutoPackLimits {
  /** gc.auto: loose objects (estimated) above which to pack; 0 = off */
  readonly auto: number;
  /** gc.auto_pack_limit: packs below the target size above which to merge; 0 = never for this reason */
  readonly autoPackLimit: number;
  /** a pack this big is full and not counted (PACK_TARGET; tests use small values) */
  readonly targetBytes?: number;
}

/**
 * Is automatic packing due (git's `gc.auto` estimate)? Loose objects are
 * estimated from one fan-out directory (`17/`) × 256, as git does: one
 * readdir, not a listing of the store.
 */
export function autoPackDue(storeDir: string, limits: AutoPackLimits): boolean {
  if (limits.auto === 0) return false;
  const looseEstimate = safeReaddir(join(storeDir, 'objects', 'sha256', '17')).filter((n) => /^[0-9a-f]{62}$/.test(n)).length * 256;
  if (looseEstimate > limits.auto) return true;
  return limits.autoPackLimit > 0 && smallPackCount(storeDir, limits.targetBytes ?? PACK_TARGET) > limits.autoPackLimit;
}

/** Packs below the writer's target: the ones a geometric merge can reduce (a full pack counts as done, as git's kept packs). */
function smallPackCount(storeDir: string, target: number): number {
  let n = 0;
  for (const p of listPacks(join(storeDir, PACKS_DIR))) {
    let size: number;
    try {
      size = statSync(p.file).size;
    } catch {
      // retired meanwhile by another gc: not a pack any more
      continue;
    }
    if (size < target) n++;
  }
  return n;
}

/**
 * Automatic packing at the end of add and fetch: every loose small object and
 * every pack counts as live (no mark: that is gc's job), small packs are
 * merged, and one run rewrites at most AUTO_PACK_MAX_BYTES. Undefined when
 * not due.
 */
export function autoPackStore(storeDir: string, limits: AutoPackLimits, o: Omit<RepackOptions, 'maxRewriteBytes' | 'dryRun'> & { maxRewriteBytes?: number } = {}): RepackResult | undefined {
  if (!autoPackDue(storeDir, limits)) {
    // Packs an earlier command retired are deleted once no reader may need them (one readdir when there are none),
    // not left for the next gc: the store stays near the size of its data.
    deleteRetired(storeDir, o);
    return undefined;
  }
  return repackStore(storeDir, () => true, { maxRewriteBytes: AUTO_PACK_MAX_BYTES, ...(limits.targetBytes !== undefined ? { targetBytes: limits.targetBytes } : {}), ...o, ...(limits.autoPackLimit > 0 ? { maxPacks: Math.min(o.maxPacks ?? GEOMETRIC_MAX_PACKS, limits.autoPackLimit) } : {}) });
}
