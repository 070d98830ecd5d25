/** Consecutive runs of `items` whose sizes add up to at most `max` each; an item larger than `max` is a run of its own. */
export function groupBySize<T>(items: readonly T[], max: number, sizeOf: (item: T) => number): T[][] {
  const groups: T[][] = [];
  let cur: T[] = [];
  let curSize = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (cur.length > 0 && curSize + size > max) {
      groups.push(cur);
      cur = [];
      curSize = 0;
    }
    cur.push(item);
    curSize += size;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}
