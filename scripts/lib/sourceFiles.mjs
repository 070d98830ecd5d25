// The source files the repository checkers (check-layers.mjs, check-catches.mjs) read.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `dir` (sorted, recursively) whose name matches `pattern`, declaration files left out. */
export function sourceFiles(dir, pattern = /\.tsx?$/) {
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (pattern.test(n) && !n.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(dir);
  return files;
}
