import { constants, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinkMode } from '../../platform/config.js';
import type { LinkStrategy } from '../../store/ObjectStore.js';
import type { Repo } from '../Repo.js';

/**
 * Resolve `auto` by probing once whether the store's file system can reflink
 * (copy-on-write clones: instant, no extra space, safe to edit), remembering
 * the answer in .trove/tmp. auto never picks hardlink or symlink: those make
 * work-tree files read-only views of the store, which must be asked for.
 */
export function resolveLinkStrategy(repo: Repo, mode: LinkMode): LinkStrategy {
  if (mode !== 'auto') return mode;
  const memo = join(repo.troveDir, 'tmp', 'link-probe.json');
  try {
    const saved = JSON.parse(readFileSync(memo, 'utf8')) as { store: string; strategy: LinkStrategy };
    if (saved.store === repo.store.dir) return saved.strategy;
  } catch {
    /* probe */
  }
  const dir = repo.store.scratchDir();
  const src = join(dir, `probe-${process.pid}`);
  const dst = join(repo.root, '.trove', 'tmp', `probe-${process.pid}`);
  let strategy: LinkStrategy = 'copy';
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(src, 'probe');
    copyFileSync(src, dst, constants.COPYFILE_FICLONE_FORCE);
    strategy = 'reflink';
  } catch {
    // the probe's answer: no reflink here, so copy (always correct, only slower)
    strategy = 'copy';
  } finally {
    rmSync(src, { force: true });
    rmSync(dst, { force: true });
  }
  try {
    writeFileSync(memo, JSON.stringify({ store: repo.store.dir, strategy }));
  } catch {
    /* re-probe next time */
  }
  return strategy;
}
