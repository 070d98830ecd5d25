import { lstatSync } from 'node:fs';

/** The fields of an lstat the work-tree scan reads. */
export interface LstatFields {
  readonly mode: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** S_IFMT and S_IFLNK (the same on every platform Node runs on). */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export function isLinkMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFLNK;
}

type BindingLstat = (path: string, useBigint: boolean, req: undefined, throwIfNoEntry: boolean) => Float64Array | undefined;

/**
 * Node 20's lstatSync builds an fs.Stats with four Date objects for every
 * call; at a million files that was ~10% of a status in Stats and Date
 * construction and most of its 11–15% of garbage collection (profile in
 * docs/benchmarks.md). The fs binding behind lstatSync returns the raw
 * numbers in a Float64Array it reuses, so reading the four fields the
 * scan needs from it costs nothing extra. That binding is internal: it is
 * used only after a probe on a real path gives exactly what lstatSync
 * gives (same layout, same mtimeMs arithmetic), and any surprise (no
 * process.binding, a changed signature, a mismatch) falls back to
 * lstatSync for good. TROVE_FAST_LSTAT=0 turns it off.
 */
let fast: BindingLstat | null | undefined;

/** The binding's lstat when it agrees with lstatSync on `path`; null when it cannot be used; undefined when the probe could not tell (the path vanished): asked again next time. */
function probe(path: string): BindingLstat | null | undefined {
  if (process.env.TROVE_FAST_LSTAT === '0') return null;
  try {
    const binding = (process as unknown as { binding?: (name: string) => { lstat?: unknown } }).binding?.('fs');
    if (typeof binding?.lstat !== 'function') return null;
    const call = binding.lstat.bind(binding) as BindingLstat;
    let st;
    try {
      st = lstatSync(path);
    } catch {
      // the path itself is unreadable or gone: no answer about the binding yet
      return undefined;
    }
    const v = call(path, false, undefined, true);
    if (!(v instanceof Float64Array) || v.length < 14) return null;
    const got = fromValues(v);
    return got.mode === st.mode && got.ino === st.ino && got.size === st.size && got.mtimeMs === st.mtimeMs ? call : null;
  } catch {
    // anything unexpected from an internal API: the public one, always
    return null;
  }
}

/** Node's own arithmetic (msFromTimeSpec), so mtimeMs is the very double Stats.mtimeMs is. */
function fromValues(v: Float64Array): LstatFields {
  return { mode: v[1]!, ino: v[7]!, size: v[8]!, mtimeMs: v[12]! * 1e3 + v[13]! / 1e6 };
}

/** lstat `path` (absolute), throwing exactly as lstatSync does (ENOENT, EACCES, …). */
export function lstatFields(path: string): LstatFields {
  if (fast === undefined) fast = probe(path);
  if (fast) {
    const v = fast(path, false, undefined, true);
    if (v !== undefined) return fromValues(v);
  }
  const st = lstatSync(path);
  return { mode: st.mode, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

/** Forget the probe's answer (tests: a fresh probe under another TROVE_FAST_LSTAT). */
export function resetLstatFields(): void {
  fast = undefined;
}

/** Whether the fast path is in use (tests; undefined before the first call). */
export function lstatFieldsFast(): boolean | undefined {
  return fast === undefined ? undefined : fast !== null;
}
