import { join } from 'node:path';
import { oidPath, type Oid } from '../core/oid.js';

/**
 * Directory layout of a local store (format 1, see docs/formats.md):
 *
 *   <store>/objects/sha256/ab/cdef…   whole files, chunks and manifest pages, named by the sha256 of their bytes
 *   <store>/files/sha256/ab/cdef…     chunk lists of large files, named by the sha256 of the whole file
 *   <store>/tmp/                      temp files, renamed into place (same filesystem)
 *
 * Objects are read-only (0444): an accidental write through a hardlink fails
 * instead of silently corrupting every version that shares the object.
 */
export const STORE_FORMAT = 1;
export const STORE_FORMAT_FILE = 'FORMAT';

export function objectFile(storeDir: string, oid: Oid): string {
  return join(storeDir, 'objects', oidPath(oid));
}

export function chunkListFile(storeDir: string, oid: Oid): string {
  return join(storeDir, 'files', oidPath(oid));
}

export function storeTmpDir(storeDir: string): string {
  return join(storeDir, 'tmp');
}

/** Files at or below this size are stored whole; larger ones as content-defined chunks. */
export const CHUNK_THRESHOLD = 1024 * 1024;
