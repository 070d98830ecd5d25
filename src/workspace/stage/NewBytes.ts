import { isTroveError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { parseOid, type Oid } from '../../core/oid.js';
import { diffManifests } from '../../store/diffManifests.js';
import { CHUNK_THRESHOLD } from '../../store/chunkList.js';
import { readManifest } from '../../store/manifestIO.js';
import type { ObjectStore } from '../../store/ObjectStore.js';
import { PageCache } from '../../store/PageCache.js';
import type { LogEntry } from '../history/artifactLog.js';

/** What one version added: bytes of stored objects no older version held, and files whose content is new. */
export interface NewCost {
  readonly bytes: number;
  readonly files: number;
}

/**
 * Walks the versions of one path oldest first and tells what each adds to
 * the objects seen so far. A new version's entries are the previous one's
 * minus its removed entries plus its added or changed ones, so only those
 * need a look: the first directory version is read whole, every later one
 * diffed against the one before (diffManifests reads only differing pages).
 */
export class NewBytes {
  /**
   * Every stored object (whole file or chunk) of the versions seen, and the
   * ids of chunked files seen (so an unchanged large file's chunk list is not
   * read again). One set: the store keeps one object per content, so a small
   * file equal to a chunk of a large one is the same object.
   */
  private readonly seen = new Set<string>();
  /** the last directory version whose manifest was read, to diff the next one against */
  private lastDir: Oid | undefined;
  /** each version's changed pages are read by two diffs (with the one before and the one after) */
  private pages: PageCache;

  constructor(private readonly store: ObjectStore) {
    this.pages = new PageCache(store);
  }

  /** Drop the pages kept in memory (before this walker is kept for later versions: only its sets are needed). */
  releasePages(): void {
    this.pages = new PageCache(this.store);
  }

  next(e: LogEntry): NewCost | null {
    if (e.change === 'deleted' || e.oid === undefined) return { bytes: 0, files: 0 };
    const oid = parseOid(e.oid, `the version of ${e.path} at ${e.commit.slice(0, 12)}`);
    try {
      if (e.kind === 'dir') return this.dir(oid, e.path);
      this.lastDir = undefined;
      return this.files([{ mode: 'f', oid, size: e.size ?? 0 }], e.path);
    } catch (err) {
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
      return null;
    }
  }

  private dir(root: Oid, what: string): NewCost {
    let entries: readonly ManifestEntry[];
    if (this.lastDir === undefined) entries = readManifest(this.pages, root, what);
    else entries = diffManifests(this.pages, this.lastDir, root, what).to;
    this.lastDir = root;
    return this.files(entries, what);
  }

  /** Count the contents among `files` not seen before, then remember them. */
  private files(files: readonly (ManifestEntry | { mode: 'f'; oid: Oid; size: number })[], what: string): NewCost {
    let bytes = 0;
    let count = 0;
    for (const f of files) {
      if (f.mode === 'l' || this.seen.has(f.oid.hex)) continue;
      this.seen.add(f.oid.hex);
      count++;
      if (f.size <= CHUNK_THRESHOLD) {
        bytes += f.size;
        continue;
      }
      const chunks = this.store.readChunkList(f.oid);
      if (!chunks) {
        // Stored whole (an import, an older trove), or absent: then which chunks are new cannot be told.
        if (!this.store.hasObject(f.oid)) this.store.readObject(f.oid, what); // throws OBJECT_MISSING
        bytes += f.size;
        continue;
      }
      for (const c of chunks) {
        if (this.seen.has(c.oid.hex)) continue;
        this.seen.add(c.oid.hex);
        bytes += c.size;
      }
    }
    return { bytes, files: count };
  }
}
