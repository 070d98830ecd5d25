import { TroveError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';

/**
 * Each of `subs` (paths inside tracked directory `dir`) names a file of it,
 * or a directory holding some: a path that names nothing would otherwise
 * select nothing and succeed silently (`trove pull imgs/nonexistent.bin`).
 */
export function requireSelectedEntries(dir: string, subs: readonly string[], entries: readonly ManifestEntry[], where = 'at this version'): void {
  const absent = subs.filter((s) => !entries.some((e) => e.path === s || e.path.startsWith(s + '/')));
  if (absent.length === 0) return;
  const paths = absent.map((s) => `${dir}/${s}`);
  throw new TroveError('NOT_FOUND', `${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''} ${paths.length === 1 ? 'is' : 'are'} not in the tracked directory ${dir} ${where}.`, {
    hint: `List its files with trove ls ${dir}.`,
    data: { path: paths[0], paths, artifact: dir },
  });
}
