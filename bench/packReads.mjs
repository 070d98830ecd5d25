#!/usr/bin/env node
// Random small reads from a local store, packed vs loose (scale plan P4 "Measure").
// Builds two stores of BENCH_PACK_OBJECTS objects (512-4096 B, seeded) with the
// tsc output (dist/src), then times BENCH_PACK_READS verified readObject calls
// at random, and a materializeMany of the same objects, on each. Warm page cache;
// timings on a shared machine are noisy: the store file counts are exact.
//   node bench/packReads.mjs   (after npx tsc -p tsconfig.json)
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const { ObjectStore } = await import('../dist/src/store/ObjectStore.js');
const { materializeMany } = await import('../dist/src/store/materializeMany.js');
const { createOid } = await import('../dist/src/core/oid.js');

const N = Number(process.env.BENCH_PACK_OBJECTS ?? 20000);
const READS = Number(process.env.BENCH_PACK_READS ?? 10000);
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const blobs = Array.from({ length: N }, () => randomBytes(512 + Math.floor(rnd() * 3584)));
const oids = blobs.map((b) => createOid('sha256', createHash('sha256').update(b).digest('hex')));
const picks = Array.from({ length: READS }, () => Math.floor(rnd() * N));
const countFiles = (d) => (fs.existsSync(d) ? fs.readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length : 0);
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'trove-packreads-'));
try {
  for (const mode of ['loose', 'packed']) {
    const dir = path.join(base, mode);
    const store = new ObjectStore(dir, { fsync: false, packMaxObject: mode === 'loose' ? 0 : undefined });
    let t = performance.now();
    if (mode === 'loose') for (const b of blobs) store.putBytes(b);
    else await store.putObjects(blobs);
    const putMs = performance.now() - t;
    const reader = new ObjectStore(dir, { fsync: false });
    t = performance.now();
    let bytes = 0;
    for (const i of picks) bytes += reader.readObject(oids[i], 'x').length;
    const readMs = performance.now() - t;
    const out = path.join(base, `${mode}-out`);
    fs.mkdirSync(out);
    t = performance.now();
    await materializeMany(reader, picks.slice(0, 5000).map((i, k) => ({ oid: oids[i], dest: path.join(out, `f${k}`), executable: false })), { umask: 0o022 });
    const matMs = performance.now() - t;
    console.log(`${mode}: ${N} objects put in ${putMs.toFixed(0)} ms; store files ${countFiles(dir)}; ${READS} random readObject ${readMs.toFixed(0)} ms (${((readMs * 1000) / READS).toFixed(1)} µs each, ${bytes} B); materializeMany of 5000 ${matMs.toFixed(0)} ms`);
  }
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
