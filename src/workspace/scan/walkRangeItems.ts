import { isLeafCut, isLeafHashCut } from '../../core/manifestTree.js';
import { isRacy } from '../../store/StatCache.js';
import type { ScanRecords } from './scanRecords.js';
import type { ScannedFile } from './scanTree.js';

/** A chunk cut exactly (`at`: its files' byte range in the records), or files the main thread must cut (`loose`: their range). */
export type ScanItem = { readonly first: string; readonly count: number; readonly size: number; readonly sig: string | null; readonly at: readonly [number, number] } | { readonly loose: readonly [number, number] };

/**
 * One range of the top level, walked apart from the files before it (by a
 * scan worker, or by the main thread walking ahead while it waits for one):
 * where the range's first chunk starts depends on those files, so the files
 * before the range's first hash cut are `loose`, for the stitching thread to
 * cut; after it every chunk is cut and signed here exactly, and what follows
 * the last cut is loose again. The files go into `records` (ScanRecords:
 * off the JS heap, so a range waiting its turn costs the collector nothing)
 * and `items` name their byte ranges. `t0` is a clock reading taken before
 * the range was walked (the racy check). `afterChunk` runs after each exact
 * chunk; it may empty `records` and `items` (a worker posting them), and
 * returns true to stop.
 */
export function walkRangeItems(files: Iterable<ScannedFile>, t0: number, records: ScanRecords, items: ScanItem[], afterChunk: () => boolean): void {
  let cutSeen = false;
  // where the open run of files (loose, or the open chunk) starts in `records`
  let start = records.length;
  let first = '';
  let count = 0;
  let size = 0;
  let racy = false;
  for (const f of files) {
    records.push(f);
    if (!cutSeen) {
      if (isLeafHashCut(f.path)) {
        cutSeen = true;
        items.push({ loose: [start, records.length] });
        start = records.length;
      }
      continue;
    }
    if (count === 0) first = f.path;
    count++;
    size += f.size;
    if (isRacy(f.mtimeMs, t0)) racy = true;
    if (isLeafCut(f.path, count)) {
      items.push({ first, count, size, sig: racy ? null : records.sha256(start), at: [start, records.length] });
      count = 0;
      size = 0;
      racy = false;
      const stop = afterChunk();
      start = records.length;
      if (stop) return;
    }
  }
  if (records.length > start) items.push({ loose: [start, records.length] });
}
