import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from './isProcessAlive.js';

/**
 * The exact shape of the names tempPathFor makes: `.<name>.tmp-<pid>-<8 hex>-<base36>`.
 * Nothing looser: a user's own `.x.tmp-foo` is data and is never touched.
 */
const TEMP_NAME = /^\.(.+)\.tmp-([1-9][0-9]*)-[0-9a-f]{8}-[0-9a-z]+$/;

/** gitignore pattern for the same names (.git/info/exclude: temps are per clone, so is that file). */
export const TEMP_IGNORE_PATTERN = '.*.tmp-[0-9]*-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-*';

/** `{ of, pid }` when `name` is a temp name tempPathFor made for file `of` in process `pid`. */
export function parseTempName(name: string): { of: string; pid: number } | undefined {
  const m = TEMP_NAME.exec(name);
  return m ? { of: m[1]!, pid: Number(m[2]) } : undefined;
}

/**
 * A temp file whose writer is gone (killed, crashed): nobody will rename it,
 * so it can go. A live writer's temp (this process, or a concurrent trove)
 * is left alone. On a work tree shared by several machines (NFS) another
 * host's pid may look dead here; such a temp only loses a write that was
 * going to be retried anyway, never user data.
 */
export function isAbandonedTemp(name: string): boolean {
  const t = parseTempName(name);
  return t !== undefined && t.pid !== process.pid && !isProcessAlive(t.pid);
}

/** Remove an abandoned temp (file or directory); false when it was not one or could not be removed. */
export function removeIfAbandoned(absPath: string): boolean {
  if (!isAbandonedTemp(basename(absPath))) return false;
  try {
    rmSync(absPath, { recursive: true, force: true });
    return true;
  } catch {
    return false; // best effort: it is still skipped by every scan
  }
}

/**
 * Remove the abandoned temps of each of `targets` (`.<name>.tmp-…` beside
 * it): what a killed write of a single file leaves, up to the whole size of
 * a large file. Each parent directory is listed once.
 */
export function removeAbandonedTempsOf(targets: readonly string[]): number {
  const byDir = new Map<string, Set<string>>();
  for (const t of targets) {
    const names = byDir.get(dirname(t)) ?? new Set<string>();
    names.add(basename(t));
    byDir.set(dirname(t), names);
  }
  let removed = 0;
  for (const [dir, wanted] of byDir) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      // a folder we cannot list has no temp files we could remove; the sweep is best-effort and nothing is lost
      continue;
    }
    for (const n of names) {
      const of = parseTempName(n)?.of;
      if (of !== undefined && wanted.has(of) && removeIfAbandoned(join(dir, n))) removed++;
    }
  }
  return removed;
}
