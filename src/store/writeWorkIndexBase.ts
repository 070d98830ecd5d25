import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeAll } from './fdIO.js';

/** A row block of a new base: bytes in memory, or a byte range copied from an open file (the old base, the spill file). */
export type BaseBlock = Buffer | { readonly fd: number; readonly pos: number; readonly len: number };

/**
 * Write a work index base (header and table text, then the blocks in order)
 * to a temp file beside `file` and rename it over `file`. Ranges are copied
 * 1 MiB at a time, so a fold of a 1,000,000-file index never holds its rows.
 */
export function writeWorkIndexBase(file: string, headAndTable: string, blocks: readonly BaseBlock[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const out = openSync(tmp, 'w');
  try {
    writeAll(out, Buffer.from(headAndTable, 'utf8'));
    const copy = Buffer.alloc(1024 * 1024);
    for (const b of blocks) {
      if (Buffer.isBuffer(b)) writeAll(out, b);
      else {
        let done = 0;
        while (done < b.len) {
          const n = readSync(b.fd, copy, 0, Math.min(copy.length, b.len - done), b.pos + done);
          if (n === 0) throw new Error('short base');
          writeAll(out, copy.subarray(0, n));
          done += n;
        }
      }
    }
    closeSync(out);
    renameSync(tmp, file);
  } catch (err) {
    try {
      closeSync(out);
    } catch {
      // already closed (the rename failed): nothing left to release
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}
