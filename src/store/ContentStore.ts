import type { Oid } from '../core/oid.js';
import type { ChunkRef } from './chunkList.js';
import type { IngestItem, IngestOutcome } from './ingestPool.js';
import type { PackWriter } from './pack/PackWriter.js';

export type LinkStrategy = 'copy' | 'reflink' | 'hardlink' | 'symlink';

/** What a store file holds: an object (whole file, chunk or manifest page) or the chunk list of a large file. */
export type StoredKind = 'object' | 'chunklist';

/** Where an entry's bytes are: a loose file (offset 0, the whole file) or a range of a local pack. */
export interface StoredLocation {
  readonly file: string;
  readonly offset: number;
  readonly length: number;
  readonly packed: boolean;
}

export interface StoredEntry {
  readonly kind: StoredKind;
  readonly oid: Oid;
  readonly size: number;
  /** the file holding it (a pack for a packed entry: read `location`'s range), for a transfer that streams it out (push): handed out by the store, never built by a caller */
  readonly path: string;
  readonly location: StoredLocation;
}

/** One command's ingest (add): small files go into one pack writer, large ones stay loose. */
export interface IngestSession {
  ingest(items: readonly IngestItem[], options?: { onDone?: (item: IngestItem, outcome: IngestOutcome) => void; onProgress?: (bytes: number) => void }): Promise<IngestOutcome[]>;
  /** Seal the pack and make it durable: call before anything names the objects. */
  close(): Promise<void>;
}

/** What packStats reports: published packs, entries in them, and loose objects estimated from one fan-out directory (as git's gc.auto does). */
export interface PackStats {
  readonly packs: number;
  readonly packed: number;
  readonly looseEstimate: number;
}

/**
 * Everything above store/ asks of the local store, modelled on restic's
 * `Repository`: presence, verified reads, writes, chunk lists, a path-free
 * listing and removal for gc and fsck. The on-disk layout (store/layout.ts)
 * stays behind it: no module outside src/store imports the layout or joins a
 * path onto the store's directory (scripts/check-layers.mjs enforces both).
 * The few operations that must hand out a file path (a hardlink or symlink
 * into the store, a writer thread's target, a file streamed to a remote) are
 * methods named after that one use. ObjectStore implements it.
 */
export interface ContentStore {
  /** The store's directory: an identity (cache keys, messages, worker set-up), never a base for paths. */
  readonly dir: string;
  readonly fsync: boolean;

  // Presence
  /** `reload: false`: no re-listing of the packs on a miss (a dedupe check, where a miss only writes a duplicate) */
  hasObject(oid: Oid, options?: { reload?: boolean }): boolean;
  hasFile(oid: Oid): boolean;
  hasFiles(oids: readonly Oid[]): boolean[];
  /** presence of many objects (loose or packed), in order */
  hasMany(oids: readonly Oid[]): boolean[];
  entry(kind: StoredKind, oid: Oid): StoredEntry | undefined;

  // Reads (verified; a corrupt entry is removed and reported)
  readObject(oid: Oid, what: string): Buffer;
  readChunkList(oid: Oid): ChunkRef[] | undefined;
  materialize(oid: Oid, dest: string, options: { what: string; strategy: LinkStrategy; executable?: boolean }): Promise<void>;

  // Writes
  putBytes(data: Uint8Array): { oid: Oid; written: number };
  /** Store many objects, small ones packed; durable on return. `meta`: manifest pages (their own pack). */
  putObjects(items: Iterable<Uint8Array>, options?: { meta?: boolean }): Promise<{ oids: Oid[]; written: number }>;
  openIngest(options: { jobs: number }): IngestSession;
  /** A writer of local packs for this store (raises the store to format 2 before its first pack); the caller calls finish(). */
  packWriter(options?: { /** has() answers for the open pack only (PackWriterOptions.forgetSealed) */ forgetSealed?: boolean }): PackWriter;
  targetFor(kind: StoredKind, oid: Oid): string;

  // Listing and removal (gc, fsck)
  list(): StoredEntry[];
  remove(kind: StoredKind, oid: Oid): void;
  quarantine(path: string): void;
  /** Set aside a corrupt entry, loose or packed (a packed one goes on the pack set's bad list). */
  quarantineObject(kind: StoredKind, oid: Oid): void;
  packStats(): PackStats;
  removeStaleTemps(olderThanMs: number): number;

  // "Everything this version needs is here" markers
  isComplete(oid: Oid): boolean;
  markComplete(oid: Oid): void;
  clearCompleteMarks(): void;

  // Paths for one named use each
  objectPath(oid: Oid): string;
  symlinkRoot(): string;
  scratchDir(): string;
  remoteCacheDir(display: string): string;
}

/** A stored entry's name in a set of entries (gc's live set): kind and oid, no path. */
export function storedKey(kind: StoredKind, oid: Oid): string {
  return `${kind}:${oid.hex}`;
}

/** The kind and hex an entry key (storedKey) names. */
export function parseStoredKey(key: string): { kind: StoredKind; hex: string } {
  const colon = key.indexOf(':');
  return { kind: key.slice(0, colon) as StoredKind, hex: key.slice(colon + 1) };
}
