import type { Git } from './git.js';

/** A path Git holds in conflict: the blob of each index stage present (1 common ancestor, 2 ours, 3 theirs). */
export interface UnmergedPath {
  readonly path: string;
  readonly stages: { readonly 1?: string; readonly 2?: string; readonly 3?: string };
}

/**
 * Unmerged index entries (`git ls-files -u -z`), sorted by path. A stage is
 * absent when that side did not have the file (added on one side only,
 * deleted on one side).
 */
export async function listUnmerged(git: Git, filter: (path: string) => boolean = () => true): Promise<UnmergedPath[]> {
  const res = await git.run(['ls-files', '-u', '-z']);
  const byPath = new Map<string, Record<number, string>>();
  for (const rec of res.stdout.toString('utf8').split('\0')) {
    // "<mode> <blob> <stage>\t<path>"
    const m = /^[0-7]+ ([0-9a-f]+) ([123])\t(.+)$/s.exec(rec);
    if (!m || !filter(m[3]!)) continue;
    let stages = byPath.get(m[3]!);
    if (!stages) byPath.set(m[3]!, (stages = {}));
    stages[Number(m[2])] = m[1]!;
  }
  return [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, stages]) => ({ path, stages }));
}
