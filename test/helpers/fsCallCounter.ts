/**
 * Preloaded into a spawned CLI (`NODE_OPTIONS=--import=<this file>`): counts
 * the main thread's stat-family calls whose path contains
 * TROVE_TEST_FS_UNDER, and writes `{ lstat, stat, readdir }` to
 * TROVE_TEST_FS_LOG at exit. Tests assert how many files a command looked at
 * (counted, never timed).
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const under = process.env.TROVE_TEST_FS_UNDER;
const log = process.env.TROVE_TEST_FS_LOG;
if (isMainThread && under && log) {
  const counts: Record<string, number> = { lstat: 0, stat: 0, readdir: 0 };
  const hit = (p: unknown): boolean => String(p).includes(under);
  const wrap = (name: 'lstatSync' | 'statSync' | 'readdirSync' | 'lstat' | 'stat' | 'readdir', key: string): void => {
    const orig = (fs as any)[name] as (...a: unknown[]) => unknown;
    (fs as any)[name] = function (this: unknown, ...a: unknown[]) {
      if (hit(a[0])) counts[key]!++;
      return orig.apply(this, a);
    };
  };
  wrap('lstatSync', 'lstat');
  wrap('lstat', 'lstat');
  wrap('statSync', 'stat');
  wrap('stat', 'stat');
  wrap('readdirSync', 'readdir');
  wrap('readdir', 'readdir');
  for (const name of ['lstat', 'stat', 'readdir'] as const) {
    const orig = fs.promises[name] as (...a: unknown[]) => unknown;
    (fs.promises as any)[name] = (...a: unknown[]) => {
      if (hit(a[0])) counts[name]!++;
      return orig(...a);
    };
  }
  syncBuiltinESMExports();
  process.on('exit', () => fs.writeFileSync(log, JSON.stringify(counts)));
}
