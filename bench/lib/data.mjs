// Deterministic benchmark data.
//
// Bytes come from AES-128-CTR over zeros with a key and IV derived from a
// label, so the same label always gives the same stream on every machine, the
// stream never repeats (no accidental dedup for chunking stores), and it is
// fast (AES-NI). File sizes and edit positions come from a seeded xorshift32.

import { createCipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const KiB = 1024;
export const MiB = 1024 * KiB;

const CHUNK = 16 * MiB;
let zeros = Buffer.alloc(CHUNK);

/** A deterministic byte stream: next(n) returns the next n bytes. */
export function byteStream(label) {
  const key = createHash('sha256').update(`trove-bench key ${label}`).digest().subarray(0, 16);
  const iv = createHash('sha256').update(`trove-bench iv ${label}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  return {
    next(n) {
      if (n > zeros.length) zeros = Buffer.alloc(n);
      return cipher.update(zeros.subarray(0, n));
    },
  };
}

/** xorshift32 seeded PRNG; float() in [0, 1). */
export function prng(seed) {
  let x = seed >>> 0 || 0x9e3779b9;
  const u32 = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
  return { u32, float: () => u32() / 0x100000000, int: (lo, hi) => lo + (u32() % (hi - lo + 1)) };
}

/** Write `bytes` bytes of stream `label` to `file` (truncating). */
export function writeRandomFile(file, bytes, label) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const s = byteStream(label);
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < bytes; ) {
      const n = Math.min(CHUNK, bytes - done);
      writeAll(fd, s.next(n), done);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Overwrite `length` bytes at `offset` in place with stream `label`. */
export function overwriteRange(file, offset, length, label) {
  if (fs.lstatSync(file).isSymbolicLink()) {
    throw new Error(`${path.basename(file)} is a symlink; refusing to write through it into a store`);
  }
  const s = byteStream(label);
  const fd = fs.openSync(file, 'r+');
  try {
    for (let done = 0; done < length; ) {
      const n = Math.min(CHUNK, length - done);
      writeAll(fd, s.next(n), offset + done);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Append `length` bytes of stream `label`. */
export function appendRandom(file, length, label) {
  const size = fs.statSync(file).size;
  overwriteRange(file, size, length, label);
}

function writeAll(fd, buf, pos) {
  for (let off = 0; off < buf.length; ) {
    off += fs.writeSync(fd, buf, off, buf.length - off, pos + off);
  }
}

/** sha256 of a file's content (follows symlinks); null if unreadable. */
export function hashFile(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

// ---------------------------------------------------------------- W2 layout

/**
 * W2: `files` files of 1..64 KiB, `perDir` per directory:
 * data/d000/f00000.bin, data/d000/f00001.bin, ... data/d001/f00100.bin ...
 */
export function w2Layout(files, perDir = 100, seed = 20240601) {
  const r = prng(seed);
  const dirDigits = Math.max(3, String(Math.ceil(files / perDir) - 1).length);
  const fileDigits = Math.max(5, String(files - 1).length);
  const out = [];
  for (let i = 0; i < files; i++) {
    const d = String(Math.floor(i / perDir)).padStart(dirDigits, '0');
    const f = String(i).padStart(fileDigits, '0');
    out.push({ rel: `data/d${d}/f${f}.bin`, size: r.int(1 * KiB, 64 * KiB) });
  }
  return out;
}

export function layoutBytes(layout) {
  return layout.reduce((a, e) => a + e.size, 0);
}

/** Write every file of the layout under `root` from one continuous stream. */
export function writeLayout(root, layout, label) {
  const s = byteStream(label);
  const made = new Set();
  for (const e of layout) {
    const file = path.join(root, e.rel);
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    fs.writeFileSync(file, s.next(e.size));
  }
}

/** Deterministic choice of `count` entries spread over the layout. */
export function pickSpread(layout, count) {
  const n = Math.min(count, layout.length);
  const step = layout.length / n;
  const out = [];
  for (let k = 0; k < n; k++) out.push(layout[Math.floor(k * step + step / 2)]);
  return out;
}

/** Overwrite the content of the given entries (same size, new bytes). */
export function rewriteEntries(root, entries, label) {
  const s = byteStream(label);
  for (const e of entries) {
    const file = path.join(root, e.rel);
    // In place (same inode, like most editors of binary data) -- but never
    // write through a symlink into some store.
    if (fs.lstatSync(file).isSymbolicLink()) fs.rmSync(file);
    fs.writeFileSync(file, s.next(e.size));
  }
}

/** Set atime/mtime of every entry (follows symlinks, like `touch`). */
export function touchLayout(root, layout, timeSec) {
  for (const e of layout) fs.utimesSync(path.join(root, e.rel), timeSec, timeSec);
}

/** One digest over paths and contents of the layout (follows symlinks). */
export function layoutDigest(root, layout) {
  const h = createHash('sha256');
  for (const e of layout) {
    let c;
    try {
      c = createHash('sha256').update(fs.readFileSync(path.join(root, e.rel))).digest('hex');
    } catch (err) {
      c = `missing:${err.code}`;
    }
    h.update(`${e.rel}\0${c}\n`);
  }
  return h.digest('hex');
}

/**
 * The workload's source data under `work` (made once, then reused), for the
 * paired scripts (compare-add.mjs, durability-floor.mjs): the directory to
 * copy and the paths to add. W1: big.bin; W2: data/ of `w2Files` files.
 */
export function sourceData(work, wl, { w1MiB = 1024, w2Files = 20000 } = {}) {
  if (wl === 'W1') {
    const f = path.join(work, 'src-w1', 'big.bin');
    if (!fs.existsSync(f)) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      writeRandomFile(f, w1MiB * MiB, 'w1/base');
    }
    return { dir: path.dirname(f), add: ['big.bin'] };
  }
  const d = path.join(work, 'src-w2');
  if (!fs.existsSync(path.join(d, 'data'))) writeLayout(d, w2Layout(w2Files, 100), 'w2/base');
  return { dir: d, add: ['data'] };
}
