import { closeSync, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';

// Whole-buffer reads and writes on a descriptor: a short read or write is looped, never taken for the whole.

export function writeAll(fd: number, b: Buffer): void {
  let done = 0;
  while (done < b.length) done += writeSync(fd, b, done, b.length - done);
}

export function writeAllAt(fd: number, b: Buffer, position: number): void {
  let done = 0;
  while (done < b.length) done += writeSync(fd, b, done, b.length - done, position + done);
}

export function preadAll(fd: number, position: number, len: number): Buffer {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, position + got);
    if (n === 0) throw new Error('short');
    got += n;
  }
  return buf;
}

export function readFileText(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.toString('utf8', 0, got);
  } finally {
    closeSync(fd);
  }
}

export function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    // no file: zero bytes, which only decides when to fold the journal
    return 0;
  }
}
