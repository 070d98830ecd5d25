import { join } from 'node:path';
import { oidPath, type Oid } from '../core/oid.js';
import { tempPathFor } from '../util/atomicWrite.js';

/**
 * Directory layout of a local store (format 2, see docs/formats.md):
 *
 *   <store>/FORMAT                    "trove-store 1" (loose objects only) or "trove-store 2" (written before the first pack)
 *   <store>/packs/<name>.pack|.tidx   local packs of small objects (store/pack/; a pack exists once its .tidx does)
 *   <store>/objects/sha256/ab/cdef…   whole files, chunks and manifest pages, named by the sha256 of their bytes
 *   <store>/files/sha256/ab/cdef…     chunk lists of large files, named by the sha256 of the whole file
 *   <store>/<objects|files>/sha256/ab/.cdef….tmp-…   an object being written, renamed into place
 *   <store>/tmp/                      scratch (link-mode probes; where earlier versions wrote temp files)
 *
 * Objects are read-only (0444): an accidental write through a hardlink fails
 * instead of silently corrupting every version that shares the object.
 */
/** The newest store format this trove reads and writes (2: local packs). */
export const STORE_FORMAT = 2;
/** The format of a store without packs: a new store starts at it, and the first published pack raises it to STORE_FORMAT. */
export const STORE_FORMAT_LOOSE = 1;
export const STORE_FORMAT_FILE = 'FORMAT';

export function objectFile(storeDir: string, oid: Oid): string {
  return join(storeDir, 'objects', oidPath(oid));
}

export function chunkListFile(storeDir: string, oid: Oid): string {
  return join(storeDir, 'files', oidPath(oid));
}

export function packsDir(storeDir: string): string {
  return join(storeDir, 'packs');
}

export function storeTmpDir(storeDir: string): string {
  return join(storeDir, 'tmp');
}

/**
 * Where an object is written before it is renamed to `target`: a hidden name
 * in the target's own fan-out directory. One shared temp directory made every
 * write lock it twice (create, then a cross-directory rename, which also
 * takes the file system's rename mutex): two threads storing a fetch spent a
 * fifth of their time waiting on those locks (perf, W1 fetch). Names that
 * are not hex are never taken for objects; gc removes stale ones.
 */
export function storeTempFor(target: string): string {
  return tempPathFor(target);
}

/** Is this fan-out directory entry a temp file (see storeTempFor)? */
export function isStoreTemp(name: string): boolean {
  return name.startsWith('.') && name.includes('.tmp-');
}
