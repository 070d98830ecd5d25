import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** A store file to read, with the size and sha256 it must have. */
export interface VerifiedReadFile {
  readonly path: string;
  readonly size: number;
  readonly digest: string;
  /** a packed entry: the bytes are [offset, offset + size) of `path` (a local pack), not the whole file */
  readonly offset?: number;
}

export type VerifiedReadReply = { ok: true; bytes: Uint8Array } | { ok: false; index: number; problem: 'missing' | 'corrupt' | 'io'; message: string };

/**
 * Worker-thread side of readVerified: reads a batch of store files into one
 * buffer (no per-file buffers, no concatenation), hashes each file's bytes
 * and hands the buffer back without copying it. Stops at the first file that
 * is missing, has the wrong size or the wrong digest.
 */
function readBatch(files: readonly VerifiedReadFile[]): { reply: VerifiedReadReply; transfer: ArrayBuffer[] } {
  const bytes = Buffer.allocUnsafeSlow(files.reduce((s, f) => s + f.size, 0));
  const probe = Buffer.allocUnsafe(1);
  let offset = 0;
  for (let index = 0; index < files.length; index++) {
    const f = files[index]!;
    let got = 0;
    let longer = false;
    try {
      const fd = openSync(f.path, 'r');
      try {
        const base = f.offset ?? 0;
        while (got < f.size) {
          const n = readSync(fd, bytes, offset + got, f.size - got, base + got);
          if (n === 0) break;
          got += n;
        }
        longer = f.offset === undefined && got === f.size && readSync(fd, probe, 0, 1, got) > 0;
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { reply: { ok: false, index, problem: code === 'ENOENT' ? 'missing' : 'io', message: (err as Error).message }, transfer: [] };
    }
    if (got !== f.size || longer) return { reply: { ok: false, index, problem: 'corrupt', message: `${longer ? 'more' : got} bytes where ${f.size} were expected` }, transfer: [] };
    if (createHash('sha256').update(bytes.subarray(offset, offset + f.size)).digest('hex') !== f.digest) return { reply: { ok: false, index, problem: 'corrupt', message: 'its sha256 does not match' }, transfer: [] };
    offset += f.size;
  }
  return { reply: { ok: true, bytes }, transfer: [bytes.buffer as ArrayBuffer] };
}

parentPort?.on('message', (msg: { id: number; job: VerifiedReadFile[] }) => {
  const { reply, transfer } = readBatch(msg.job);
  parentPort!.postMessage({ id: msg.id, reply }, transfer);
});
