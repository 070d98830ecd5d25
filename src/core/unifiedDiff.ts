/**
 * A unified diff (the `git diff` text format) of two texts, line by line:
 * Myers' O((N+M)·D) shortest edit script after trimming the common head and
 * tail. Pure, no I/O. Past `maxEdits` differing lines the script stops
 * looking for the shortest one and reports the middle as replaced: a
 * rewritten 50,000-line file still diffs in milliseconds, not minutes.
 */

export interface UnifiedDiffOptions {
  /** lines of context around each change (git's default: 3) */
  readonly context?: number;
  /** edit distance beyond which the middle is shown as removed-then-added */
  readonly maxEdits?: number;
}

type Op = readonly [' ' | '-' | '+', string];

const NO_EOL = '\u0000';

/**
 * The hunks (`@@ -a,b +c,d @@` blocks) turning `a` into `b`, with `--- `/`+++ `
 * headers naming `aName`/`bName` ('/dev/null' for an absent side). Empty
 * string when the texts are equal.
 *
 * @example
 *   unifiedDiff('x\ny\n', 'x\nz\n', 'a/f.py', 'b/f.py')
 *   // '--- a/f.py\n+++ b/f.py\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n'
 */
export function unifiedDiff(a: string, b: string, aName: string, bName: string, options: UnifiedDiffOptions = {}): string {
  if (a === b) return '';
  const ops = diffLines(splitLines(a), splitLines(b), options.maxEdits ?? 4000);
  const hunks = formatHunks(ops, options.context ?? 3);
  return hunks === '' ? '' : `--- ${aName}\n+++ ${bName}\n${hunks}`;
}

/** Lines without their "\n"; a last line without one carries a NO_EOL mark so it differs from the same line with one. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

function diffLines(a: readonly string[], b: readonly string[], maxEdits: number): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const mid = myers(midA, midB, maxEdits) ?? [...midA.map((l): Op => ['-', l]), ...midB.map((l): Op => ['+', l])];
  return [...a.slice(0, head).map((l): Op => [' ', l]), ...mid, ...a.slice(a.length - tail).map((l): Op => [' ', l])];
}

/** The shortest edit script, or null when it needs more than maxEdits insertions and deletions. */
function myers(a: readonly string[], b: readonly string[], maxEdits: number): Op[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] = the window [-d, d] of v before step d (all that step d reads)
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(off - d, off + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) (x++, y++);
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace);
    }
  }
  return null;
}

function backtrack(a: readonly string[], b: readonly string[], trace: readonly Int32Array[]): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const w = trace[d]!;
    const at = (k: number): number => w[k + d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) ops.push([' ', a[--x]!] as const), y--;
    if (d > 0) {
      if (x === prevX) ops.push(['+', b[--y]!]);
      else ops.push(['-', a[--x]!]);
    }
  }
  return ops.reverse();
}

function formatHunks(ops: readonly Op[], context: number): string {
  const out: string[] = [];
  const changed = ops.map((o) => o[0] !== ' ');
  let i = 0;
  // line numbers (1-based) of ops[i] in a and b
  const aLine: number[] = [];
  const bLine: number[] = [];
  let la = 1;
  let lb = 1;
  for (const [t] of ops) {
    aLine.push(la);
    bLine.push(lb);
    if (t !== '+') la++;
    if (t !== '-') lb++;
  }
  while (i < ops.length) {
    if (!changed[i]) {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // extend while the next change is within 2×context lines
    for (;;) {
      while (end < ops.length && changed[end]) end++;
      let next = end;
      while (next < ops.length && !changed[next]) next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + context);
    const slice = ops.slice(start, stop);
    const aCount = slice.filter((o) => o[0] !== '+').length;
    const bCount = slice.filter((o) => o[0] !== '-').length;
    const aStart = aCount === 0 ? aLine[start]! - 1 : aLine[start]!;
    const bStart = bCount === 0 ? bLine[start]! - 1 : bLine[start]!;
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n`);
    for (const [t, line] of slice) {
      out.push(line.endsWith(NO_EOL) ? `${t}${line.slice(0, -1)}\n\\ No newline at end of file\n` : `${t}${line}\n`);
    }
    i = stop;
  }
  return out.join('');
}

function range(start: number, count: number): string {
  return count === 1 ? String(start) : `${start},${count}`;
}
