import { readFileSync } from 'node:fs';
import { atomicWriteSync } from '../util/atomicWriteSync.js';

/**
 * Per tracked directory: the signature of its last scan (a digest of every
 * entry's path, inode, size, mtime, mode and link target) and the directory
 * version it was found equal to. When a new scan has the same signature and
 * the pointer still names that version, the directory is unchanged without
 * parsing its manifest or consulting the stat cache per file: for 20,000
 * files that is ~100 ms of a no-change `trove status`.
 *
 * Like the stat cache, a missing or stale entry is a miss, never an error;
 * signatures are recorded only when no entry's mtime is racy.
 */
export const DIR_SIGNATURES_VERSION = 1;

export class DirSignatures {
  private dirs: Record<string, [signature: string, rootHex: string]> = {};
  private dirty = false;

  private constructor(private readonly file: string) {}

  static load(file: string): DirSignatures {
    const d = new DirSignatures(file);
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; dirs?: DirSignatures['dirs'] };
      if (parsed.version === DIR_SIGNATURES_VERSION && parsed.dirs) d.dirs = parsed.dirs;
    } catch {
      /* start empty */
    }
    return d;
  }

  /** The version a directory with this signature was found equal to, if any. */
  matches(path: string, signature: string, rootHex: string): boolean {
    const row = Object.hasOwn(this.dirs, path) ? this.dirs[path] : undefined;
    return row !== undefined && row[0] === signature && row[1] === rootHex;
  }

  record(path: string, signature: string, rootHex: string): void {
    if (this.matches(path, signature, rootHex)) return;
    this.dirs[path] = [signature, rootHex];
    this.dirty = true;
  }

  forget(path: string): void {
    if (!Object.hasOwn(this.dirs, path)) return;
    delete this.dirs[path];
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    try {
      atomicWriteSync(this.file, JSON.stringify({ version: DIR_SIGNATURES_VERSION, dirs: this.dirs }));
      this.dirty = false;
    } catch {
      /* only costs speed */
    }
  }
}
