import { createHash } from 'node:crypto';
import type { ScannedFile } from './scanTree.js';

/**
 * Scanned files as binary records: what a chunk's signature digests, and
 * what a scan worker posts to the main thread. One record per file:
 *
 *   u8  flags   1 link, 2 executable, 4 knownHex follows
 *   f64 ino, f64 size, f64 mtimeMs   (little endian)
 *   u32 path length, path (UTF-8)
 *   link:     u32 target length, target (UTF-8)
 *   knownHex: u8 length, the digest's bytes
 *
 * It replaced one text line per file (`path\0kind\0ino\0…\n`): at a
 * million files the number-to-text conversions (mtimeMs above all), the
 * string concatenation and the UTF-8 encoding before hashing were ~0.55 µs
 * a file on each scan thread, these records ~0.13 µs. The records are never
 * stored: a signature only has to equal the signature of the same files
 * computed the same way, so a work index written by the text form just sees
 * its chunks as suspect once (their rows still match, nothing is re-read).
 */
export class ScanRecords {
  private buf: Buffer;
  private len = 0;

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  get length(): number {
    return this.len;
  }

  push(f: ScannedFile): void {
    const path = f.path;
    const target = f.target;
    // Worst case: UTF-8 takes 3 bytes per UTF-16 unit.
    this.reserve(1 + 24 + 4 + 3 * path.length + (target === undefined ? 0 : 4 + 3 * target.length) + 1 + 64);
    const b = this.buf;
    let p = this.len;
    const link = f.kind === 'link';
    const known = !link && f.knownHex !== undefined;
    b[p] = (link ? 1 : 0) | (f.executable ? 2 : 0) | (known ? 4 : 0);
    p = b.writeDoubleLE(f.ino, p + 1);
    p = b.writeDoubleLE(f.size, p);
    p = b.writeDoubleLE(f.mtimeMs, p);
    const n = b.write(path, p + 4, 'utf8');
    b.writeUInt32LE(n, p);
    p += 4 + n;
    if (link) {
      const t = b.write(target ?? '', p + 4, 'utf8');
      b.writeUInt32LE(t, p);
      p += 4 + t;
    } else if (known) {
      const h = b.write(f.knownHex!, p + 1, 'hex');
      b[p] = h;
      p += 1 + h;
    }
    this.len = p;
  }

  /** sha256 (hex) of the records in [from, to) */
  sha256(from = 0, to = this.len): string {
    return createHash('sha256').update(this.buf.subarray(from, to)).digest('hex');
  }

  /** A copy of [from, to) that owns its memory (transferable to another thread). */
  copy(from = 0, to = this.len): Uint8Array {
    const out = new Uint8Array(to - from);
    out.set(this.buf.subarray(from, to));
    return out;
  }

  clear(): void {
    this.len = 0;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** The files of records ScanRecords wrote (the same object shapes scanOne makes: no undefined-valued keys, so they deep-equal a direct scan's). */
export function decodeScanRecords(bytes: Uint8Array): ScannedFile[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ScannedFile[] = [];
  let p = 0;
  while (p < b.length) {
    const flags = b[p]!;
    const ino = b.readDoubleLE(p + 1);
    const size = b.readDoubleLE(p + 9);
    const mtimeMs = b.readDoubleLE(p + 17);
    const n = b.readUInt32LE(p + 25);
    const path = b.toString('utf8', p + 29, p + 29 + n);
    p += 29 + n;
    if (flags & 1) {
      const t = b.readUInt32LE(p);
      const target = b.toString('utf8', p + 4, p + 4 + t);
      p += 4 + t;
      out.push({ path, kind: 'link', size: 0, ino, mtimeMs, executable: false, target });
    } else if (flags & 4) {
      const h = b[p]!;
      const knownHex = b.toString('hex', p + 1, p + 1 + h);
      p += 1 + h;
      out.push({ path, kind: 'file', size, ino, mtimeMs, executable: false, knownHex });
    } else out.push({ path, kind: 'file', size, ino, mtimeMs, executable: (flags & 2) !== 0 });
  }
  return out;
}
