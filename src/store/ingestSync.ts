import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CHUNKER_V1, nextCut, type ChunkerParams } from '../core/chunker.js';
import { createOid, type Oid } from '../core/oid.js';
import { CHUNK_THRESHOLD, chunkListFile, objectFile, storeTempFor } from './layout.js';
import { serializeChunkList, type ChunkRef } from './chunkList.js';
import { mkdirp } from '../util/mkdirp.js';

/**
 * Synchronous hash-and-store of one file. Synchronous on purpose: it runs
 * inside worker threads (one per core) where blocking is free, and for many
 * small files sync fs calls avoid a thread-pool hop per call (measured ~3x
 * faster than fs.promises for 20k files of 1–64 KiB).
 */
export interface IngestResult {
  readonly hex: string;
  readonly size: number;
  /** stored as chunks (size > CHUNK_THRESHOLD) */
  readonly chunked: boolean;
  /** bytes newly written to the store */
  readonly written: number;
}

const BLOCK = 8 * 1024 * 1024;

/** Put `data` at `target` if absent: temp file + rename, then read-only. "Exists" from a racing process is success. */
export function putBytesSync(target: string, data: Uint8Array): number {
  if (existsSync(target)) return 0;
  const tmp = storeTempFor(target);
  try {
    writeFileSync(tmp, data, { mode: 0o444 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirp(dirname(target));
    writeFileSync(tmp, data, { mode: 0o444 });
  }
  try {
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return data.length;
}

/** Hash `path`; when `storeDir` is given also store it (whole or chunked). */
export function ingestFileSync(path: string, storeDir: string | null, options: { params?: ChunkerParams; onBytes?: (n: number) => void } = {}): IngestResult {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= CHUNK_THRESHOLD) {
      const data = readFileSync(fd);
      const hex = createHash('sha256').update(data).digest('hex');
      const written = storeDir ? putBytesSync(objectFile(storeDir, createOid('sha256', hex)), data) : 0;
      return { hex, size: data.length, chunked: false, written };
    }
    if (!storeDir) return { hex: hashFdSync(fd), size, chunked: true, written: 0 };
    return ingestChunkedSync(fd, storeDir, options.params ?? CHUNKER_V1, options.onBytes);
  } finally {
    closeSync(fd);
  }
}

export function hashFileSync(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return hashFdSync(fd);
  } finally {
    closeSync(fd);
  }
}

function hashFdSync(fd: number): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(BLOCK);
  for (;;) {
    const n = readSync(fd, buf, 0, BLOCK, null);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
  }
  return h.digest('hex');
}

/**
 * Stream a file through the chunker: `onData` sees every byte once in order,
 * `onChunk` every content-defined chunk (a view into a reused buffer).
 */
function cutStream(fd: number, params: ChunkerParams, onData: (data: Buffer) => void, onChunk: (chunk: Buffer) => void): void {
  const buf = Buffer.allocUnsafe(BLOCK + params.maxSize);
  let filled = 0;
  let eof = false;
  while (!eof || filled > 0) {
    while (!eof && filled < BLOCK) {
      const n = readSync(fd, buf, filled, BLOCK + params.maxSize - filled, null);
      if (n === 0) eof = true;
      else {
        onData(buf.subarray(filled, filled + n));
        filled += n;
      }
    }
    let pos = 0;
    // Cut while a full max-size window is available (or to the end at EOF).
    while (pos < filled && (eof || filled - pos >= params.maxSize)) {
      const len = nextCut(buf, pos, filled, params);
      onChunk(buf.subarray(pos, pos + len));
      pos += len;
    }
    buf.copy(buf, 0, pos, filled);
    filled -= pos;
  }
}

/** Single-thread path for a large file: one pass hashes the whole file and stores its chunks. */
function ingestChunkedSync(fd: number, storeDir: string, params: ChunkerParams, onBytes?: (n: number) => void): IngestResult {
  const whole = createHash('sha256');
  const chunks: ChunkRef[] = [];
  let size = 0;
  let written = 0;
  cutStream(
    fd,
    params,
    (data) => {
      whole.update(data);
      size += data.length;
      onBytes?.(data.length);
    },
    (chunk) => {
      const oid = createOid('sha256', createHash('sha256').update(chunk).digest('hex'));
      written += putBytesSync(objectFile(storeDir, oid), chunk);
      chunks.push({ size: chunk.length, oid });
    },
  );
  const hex = whole.digest('hex');
  written += writeChunkListSync(storeDir, createOid('sha256', hex), chunks);
  return { hex, size, chunked: true, written };
}

export function writeChunkListSync(storeDir: string, fileOid: Oid, chunks: readonly ChunkRef[]): number {
  return putBytesSync(chunkListFile(storeDir, fileOid), Buffer.from(serializeChunkList(chunks)));
}

/** Content-defined cut points of a whole file (lengths in order), reading it once. */
export function cutFileSync(path: string, params: ChunkerParams = CHUNKER_V1): number[] {
  const fd = openSync(path, 'r');
  const lengths: number[] = [];
  try {
    cutStream(fd, params, () => undefined, (chunk) => void lengths.push(chunk.length));
  } finally {
    closeSync(fd);
  }
  return lengths;
}

/** Hash and store the chunks of `path` at the given [offset, length) ranges. */
export function storeRangesSync(path: string, storeDir: string, ranges: readonly (readonly [number, number])[], onBytes?: (n: number) => void): { hexes: string[]; written: number } {
  const fd = openSync(path, 'r');
  const hexes: string[] = [];
  let written = 0;
  try {
    const buf = Buffer.allocUnsafe(ranges.reduce((m, r) => Math.max(m, r[1]), 0));
    for (const [offset, len] of ranges) {
      let got = 0;
      while (got < len) {
        const n = readSync(fd, buf, got, len - got, offset + got);
        if (n === 0) throw Object.assign(new Error(`${path} shrank while it was being added`), { code: 'ECHANGED' });
        got += n;
      }
      const chunk = buf.subarray(0, len);
      const hex = createHash('sha256').update(chunk).digest('hex');
      written += putBytesSync(objectFile(storeDir, createOid('sha256', hex)), chunk);
      hexes.push(hex);
      onBytes?.(len);
    }
  } finally {
    closeSync(fd);
  }
  return { hexes, written };
}
