// The scale benchmark's data (issue 18): `files` files of 512..4096 bytes in
// `dirs` directories, data/d0000/f0000000.bin ..., with no layout array.
//
// Directory d holds files [d*perDir, min((d+1)*perDir, files)) where
// perDir = ceil(files / dirs). Each directory has its own PRNG (sizes:
// prng(SEED ^ d).int(512, 4096), one draw per file in order) and its own
// AES-CTR stream byteStream('scale/d' + d) (content), so any set of
// directories can be written by any thread in any order and the bytes are the
// same: writeScaleTree splits the directories between worker threads.
//
// The first k files of a layout are a layout of their own (same names, sizes
// and bytes): the git-lfs subset is scaleLayout(k, ...) with the same perDir.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { byteStream, prng } from './data.mjs';

const SEED = 0x5ca1e018;
export const MIN_SIZE = 512;
export const MAX_SIZE = 4096;

/** The layout's numbers: { files, dirs, perDir } (dirs = directories actually used). */
export function scaleLayout(files, dirs = 1000, perDir = Math.ceil(files / dirs)) {
  if (!(files > 0 && perDir > 0)) throw new Error(`scale layout: files ${files}, dirs ${dirs}`);
  return { files, perDir, dirs: Math.ceil(files / perDir) };
}

export const dirName = (d) => `d${String(d).padStart(4, '0')}`;
export const fileName = (i) => `f${String(i).padStart(7, '0')}.bin`;
export const relPath = (lay, i) => `data/${dirName(Math.floor(i / lay.perDir))}/${fileName(i)}`;

/** The files of directory d: yields { i, rel, size } in order. */
export function* dirFiles(lay, d) {
  const r = prng((SEED ^ d) >>> 0);
  const end = Math.min((d + 1) * lay.perDir, lay.files);
  for (let i = d * lay.perDir; i < end; i++) yield { i, rel: `data/${dirName(d)}/${fileName(i)}`, size: r.int(MIN_SIZE, MAX_SIZE) };
}

/** Total data bytes (sizes only: no content made). */
export function scaleBytes(lay) {
  let n = 0;
  for (let d = 0; d < lay.dirs; d++) for (const f of dirFiles(lay, d)) n += f.size;
  return n;
}

/** Write the directories `ds` of the layout under root (this thread). */
export function writeDirs(root, lay, ds) {
  for (const d of ds) {
    const dir = path.join(root, 'data', dirName(d));
    fs.mkdirSync(dir, { recursive: true });
    const s = byteStream(`scale/d${d}`);
    for (const f of dirFiles(lay, d)) fs.writeFileSync(path.join(dir, fileName(f.i)), s.next(f.size));
  }
}

/** Write the whole layout under root with `threads` worker threads (directory d goes to thread d % threads). */
export async function writeScaleTree(root, lay, threads = 2) {
  if (threads <= 1) {
    writeDirs(root, lay, range(0, lay.dirs));
    return;
  }
  const jobs = [];
  for (let t = 0; t < threads; t++) {
    const ds = range(0, lay.dirs).filter((d) => d % threads === t);
    jobs.push(
      new Promise((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url), { workerData: { scaleWorker: true, root, lay, ds } });
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scale data worker exited with ${code}`))));
      }),
    );
  }
  await Promise.all(jobs);
}

/**
 * The file "the one change" rewrites: d0100/f0100123.bin at the default size
 * (directory 100, its 124th file), clamped into smaller layouts.
 */
export function changeTarget(lay) {
  const d = Math.min(100, lay.dirs - 1);
  const i = Math.min(d * lay.perDir + 123, Math.min((d + 1) * lay.perDir, lay.files) - 1);
  return { i, rel: relPath(lay, i) };
}

/** Overwrite the change target in place, same size, with new bytes (`round` makes each rewrite differ). */
export function applyChange(root, lay, round = 0) {
  const { rel } = changeTarget(lay);
  const file = path.join(root, rel);
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, byteStream(`scale/change/${round}`).next(size), 0, size, 0);
  } finally {
    fs.closeSync(fd);
  }
  return rel;
}

/** sha256 over the paths and contents of directory d under root (tests: determinism). */
export function dirDigest(root, lay, d) {
  const h = createHash('sha256');
  for (const f of dirFiles(lay, d)) h.update(`${f.rel}\0`).update(fs.readFileSync(path.join(root, f.rel)));
  return h.digest('hex');
}

function range(a, b) {
  const out = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

if (!isMainThread && workerData?.scaleWorker) {
  writeDirs(workerData.root, workerData.lay, workerData.ds);
  parentPort.postMessage('done');
}
