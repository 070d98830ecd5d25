import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { Oid } from '../core/oid.js';
import type { ChunkRef } from './chunkList.js';
import { ASSEMBLE_WRITES_IN_FLIGHT, writeAll } from './storeFiles.js';

/** Where assembleChunks gets a chunk's stored bytes (unverified) and where it sets aside one found corrupt. */
export interface ChunkSource {
  read(c: ChunkRef): Buffer;
  quarantine(c: ChunkRef): void;
}

/**
 * Concatenate chunks into a new file `tmp`, verifying the whole-file digest
 * in the same pass (one sha256 over the data instead of two: per-chunk
 * digests are only computed on a mismatch, to find and set aside the
 * culprit). Returns 'ok'; on a mismatch 'chunk' (corrupt chunks were set
 * aside) or 'list' (every chunk is sound: the chunk list itself is wrong).
 */
export async function assembleChunks(oid: Oid, chunks: readonly ChunkRef[], tmp: string, source: ChunkSource): Promise<'ok' | 'chunk' | 'list'> {
  const whole = createHash('sha256');
  const out = await fsp.open(tmp, 'wx', 0o644);
  // Writes go to the thread pool, each at its own offset, while this thread
  // reads and hashes the next chunk: hashing and writing overlap instead of
  // adding up. Several in flight, not one, so the file's writer never waits
  // for this thread: writing into fresh page-cache pages can be the slowest
  // part (kernel time per page, ~2.5 s per GiB on a VM whose host takes back
  // free memory), and ext4 admits one buffered writer per file at a time.
  const inFlight: Promise<unknown>[] = [];
  let position = 0;
  try {
    for (const c of chunks) {
      const data = source.read(c);
      whole.update(data);
      if (inFlight.length >= ASSEMBLE_WRITES_IN_FLIGHT) await inFlight.shift();
      const write = writeAll(out, data, position);
      // Handled now, awaited later: a write that fails (ENOSPC) while an
      // earlier one is awaited must not become an unhandled rejection,
      // which would kill the process instead of reporting NO_SPACE.
      write.catch(() => undefined);
      inFlight.push(write);
      position += data.length;
    }
    while (inFlight.length > 0) await inFlight.shift();
  } finally {
    await Promise.allSettled(inFlight);
    await out.close();
  }
  if (whole.digest('hex') === oid.hex) return 'ok';
  let culprit = false;
  for (const c of chunks) {
    const data = source.read(c);
    if (data.length !== c.size || createHash('sha256').update(data).digest('hex') !== c.oid.hex) {
      source.quarantine(c);
      culprit = true;
    }
  }
  return culprit ? 'chunk' : 'list';
}
