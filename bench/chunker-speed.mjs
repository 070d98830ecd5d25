// Micro-benchmark for the content-defined chunker (not a test). Build first: npx tsc -p tsconfig.json
// Usage: node bench/chunker-speed.mjs [MiB=512] [runs=3]
import { randomFillSync } from 'node:crypto';
import { CHUNKER_V1, nextCut } from '../dist/src/core/chunker.js';

const mib = Number(process.argv[2] ?? 512);
const runs = Number(process.argv[3] ?? 3);
const buf = new Uint8Array(mib * 1024 * 1024);
for (let off = 0; off < buf.length; off += 1 << 30) randomFillSync(buf, off, Math.min(1 << 30, buf.length - off));

function chunkAll() {
  let count = 0;
  for (let s = 0; s < buf.length; count++) s += nextCut(buf, s, buf.length, CHUNKER_V1);
  return count;
}

chunkAll(); // warm-up so the timed runs measure optimised code
let best = Infinity;
let chunks = 0;
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  chunks = chunkAll();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  best = Math.min(best, ms);
  console.log(`run ${r + 1}: ${(mib / (ms / 1000)).toFixed(0)} MiB/s (${ms.toFixed(0)} ms)`);
}
console.log(`chunker v1: ${mib} MiB, ${chunks} chunks, mean ${((buf.length / chunks) / 1024).toFixed(0)} KiB, best of ${runs}: ${(mib / (best / 1000)).toFixed(0)} MiB/s`);
