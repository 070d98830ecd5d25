import { lstatSync } from 'node:fs';

/** Is there anything at `p` (a dangling symlink counts)? */
export function pathExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    // lstat failing is the answer: nothing there (or nothing we can see), which callers treat as absent
    return false;
  }
}
