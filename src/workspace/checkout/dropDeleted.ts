import type { WorkIndex } from '../../store/WorkIndex.js';

/**
 * The work index forgets the deleted files (S12): WorkIndex.dropRange for a
 * few, and for many one pass that splices each chunk holding some of them
 * once, where dropRange per path would rewrite (and journal) a chunk once
 * for every deleted file in it. A chunk that held one loses its signature
 * and leaf, as with dropRange, so the next status looks at it again.
 */
export function dropDeleted(index: WorkIndex, rels: readonly string[]): void {
  if (rels.length <= DROP_ONE_BY_ONE) {
    for (const rel of rels) index.dropRange(rel);
    return;
  }
  const gone = new Set(rels);
  const sorted = [...rels].sort();
  const chunks = index.chunks();
  let k = 0;
  for (let i = 0; i < chunks.length && k < sorted.length; i++) {
    const next = chunks[i + 1]?.first;
    let hit = false;
    while (k < sorted.length && (next === undefined || sorted[k]! < next)) {
      if (sorted[k]! >= chunks[i]!.first) hit = true;
      k++;
    }
    if (!hit) continue;
    const rows = [...index.rows(i).values()].filter((r) => !gone.has(r[0]));
    index.splice(index.root() ?? '', i, i + 1, [{ ...chunks[i]!, sig: null, leaf: '' }], [rows]);
  }
}
/** Up to this many, WorkIndex.dropRange each. */
export const DROP_ONE_BY_ONE = 8;
