/** Promise wrappers and pipelined reads/writes over an ssh2 SFTP session (used by SftpBackend). */
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { mapLimit } from '../util/mapLimit.js';
import type { Body } from './Backend.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02), as ssh2 puts them on `err.code`. */
export const FX_NO_SUCH_FILE = 2;
export const FX_PERMISSION_DENIED = 3;
export const FX_FAILURE = 4;
export const FX_NO_CONNECTION = 6;
export const FX_CONNECTION_LOST = 7;

/**
 * Bytes per READ/WRITE request. ssh2 splits anything above the server's limit
 * (34000 − 2048 for servers that do not announce limits@openssh.com) into
 * sequential requests that reuse the caller's buffer later; staying below it
 * keeps every request independent, so we can keep many in flight.
 */
export const PIECE = 31 * 1024;
/** requests in flight per get/put: enough to hide the round trip (~1 MiB window) */
export const PIPELINE = 32;

export type Cb<T> = (err?: Error | null, value?: T) => void;

/** Promisify one ssh2 callback call; a synchronous throw (e.g. a missing extension) rejects too. */
export function call<T = void>(fn: (cb: Cb<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, value) => (err ? reject(err) : resolve(value as T)));
    } catch (err) {
      reject(err);
    }
  });
}

export function sftpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function unlinkQuietly(sftp: SFTPWrapper, path: string): void {
  try {
    sftp.unlink(path, () => undefined);
  } catch {
    // best effort: a leftover in tmp/ is harmless and never listed
  }
}

export function closeQuietly(sftp: SFTPWrapper, handle: Buffer): void {
  try {
    sftp.close(handle, () => undefined);
  } catch {
    // the channel is gone; the server closed the handle with it
  }
}

/**
 * Read `len` bytes from `start`, PIPELINE requests at a time. A server may
 * answer a READ with fewer bytes than asked (the protocol allows it), so each
 * piece asks again for its remainder; a zero-byte answer is end of file.
 */
export async function readRange(sftp: SFTPWrapper, handle: Buffer, start: number, len: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(len);
  if (len === 0) return buf;
  const pieces = Array.from({ length: Math.ceil(len / PIECE) }, (_, i) => i * PIECE);
  const filled = await mapLimit(pieces, PIPELINE, async (off) => {
    const want = Math.min(PIECE, len - off);
    let got = 0;
    while (got < want) {
      const n = await call<number>((cb) => sftp.read(handle, buf, off + got, want - got, start + off + got, cb));
      if (!n) break;
      got += n;
    }
    return got;
  });
  // the object ends at the first piece that came back short
  for (let i = 0; i < filled.length; i++) {
    const want = Math.min(PIECE, len - pieces[i]!);
    if (filled[i]! < want) return buf.subarray(0, pieces[i]! + filled[i]!);
  }
  return buf;
}

/** Stream `body` into an open handle with up to PIPELINE writes in flight; returns the bytes written. */
export async function writeBody(sftp: SFTPWrapper, handle: Buffer, body: Body): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  let failed: { err: unknown } | undefined;
  let pos = 0;
  const send = (piece: Buffer, at: number): void => {
    const p: Promise<void> = call((cb) => sftp.write(handle, piece, 0, piece.length, at, cb)).then(
      () => void inFlight.delete(p),
      (err: unknown) => {
        inFlight.delete(p);
        failed ??= { err };
      },
    );
    inFlight.add(p);
  };
  try {
    for await (const chunk of body.open()) {
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let off = 0; off < data.length && !failed; off += PIECE) {
        const piece = data.subarray(off, Math.min(data.length, off + PIECE));
        send(piece, pos);
        pos += piece.length;
        while (inFlight.size >= PIPELINE && !failed) await Promise.race(inFlight);
      }
      if (failed) break;
    }
  } finally {
    // never leave writes running against a handle the caller is about to close
    await Promise.all(inFlight);
  }
  if (failed) throw failed.err;
  return pos;
}

/**
 * Rename over an existing object. Plain SFTP RENAME refuses an existing
 * target (OpenSSH implements it with link+unlink), so prefer OpenSSH's
 * posix-rename extension, which is rename(2) and atomic. Without it, unlink
 * first: readers may briefly see no object, which the Backend contract allows.
 */
export async function renameOver(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  let posixRename = true;
  try {
    await call((cb) => sftp.ext_openssh_rename(from, to, cb));
    return;
  } catch (err) {
    if (sftpCode(err) !== undefined) throw err;
    if (!/does not support/i.test((err as Error).message)) throw err;
    posixRename = false;
  }
  for (let attempt = 0; !posixRename; attempt++) {
    await call((cb) => sftp.unlink(to, cb)).catch((err: unknown) => {
      if (sftpCode(err) !== FX_NO_SUCH_FILE) throw err;
    });
    try {
      await call((cb) => sftp.rename(from, to, cb));
      return;
    } catch (err) {
      // another writer renamed into place between our unlink and rename
      if (sftpCode(err) !== FX_FAILURE || attempt >= 4) throw err;
    }
  }
}

/** mkdir -p over SFTP. OpenSSH reports an existing directory as FAILURE, so check with stat. */
export async function mkdirp(sftp: SFTPWrapper, dir: string): Promise<void> {
  try {
    await call((cb) => sftp.mkdir(dir, cb));
  } catch (err) {
    const code = sftpCode(err);
    if (code === FX_NO_SUCH_FILE) {
      const parent = posix.dirname(dir);
      if (parent === dir || parent === '.') throw err;
      await mkdirp(sftp, parent);
      return mkdirp(sftp, dir);
    }
    const st = await call<Stats>((cb) => sftp.stat(dir, cb)).catch(() => undefined); // cannot stat it either: the mkdir error is rethrown below
    if (!st?.isDirectory()) throw err;
  }
}
