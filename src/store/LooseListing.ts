import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Oid } from '../core/oid.js';
import { objectFile } from './layout.js';
import { safeReaddir } from './storeListing.js';

/** Dedupe misses after which the loose fan-out directories are listed once (LooseListing.hasForDedupe). */
export const LOOSE_LISTING_AFTER = 64;
/** ...but only when the store has at most about this many loose objects: the listing is a string per object in memory. */
export const LOOSE_LISTING_MAX = 65_536;

/**
 * The loose objects of a store as one listing of its fan-out directories,
 * taken once per command when it saves more than it costs (a bulk presence
 * check, or a dedupe past LOOSE_LISTING_AFTER misses). This process's own
 * writes and removals keep it true (`add`, `delete`); a loose object another
 * process writes later is missed, so a miss is re-checked on disk by every
 * caller that must not report an object absent.
 */
export class LooseListing {
  private set: Set<string> | undefined;
  private dedupeMisses = 0;

  constructor(private readonly dir: string) {}

  /** Listed (true), or not known to be there: false once listed, undefined when nothing was listed. */
  has(hex: string): boolean | undefined {
    return this.set?.has(hex);
  }

  get taken(): boolean {
    return this.set !== undefined;
  }

  /**
   * A dedupe check of the loose files: after LOOSE_LISTING_AFTER misses, the
   * fan-out directories are listed once (256 readdirs instead of an
   * existsSync per new object) when there are few loose objects (a format-2
   * store). A miss here only ever writes a duplicate, never loses one.
   */
  hasForDedupe(oid: Oid): boolean {
    if (this.set === undefined && ++this.dedupeMisses === LOOSE_LISTING_AFTER && this.estimate() <= LOOSE_LISTING_MAX) this.take();
    return this.set ? this.set.has(oid.hex) : existsSync(objectFile(this.dir, oid));
  }

  /** About how many loose objects there are: one fan-out directory's entries × 256. */
  estimate(): number {
    return safeReaddir(join(this.dir, 'objects', 'sha256', '17')).length * 256;
  }

  /** List every fan-out directory now (kept for the rest of the command). */
  take(): void {
    const listed = new Set<string>();
    const base = join(this.dir, 'objects', 'sha256');
    for (const fan of safeReaddir(base)) for (const rest of safeReaddir(join(base, fan))) listed.add(fan + rest);
    this.set = listed;
  }

  add(hex: string): void {
    this.set?.add(hex);
  }

  delete(hex: string): void {
    this.set?.delete(hex);
  }
}
