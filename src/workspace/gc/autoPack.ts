import type { RepackResult } from '../../store/pack/repack.js';
import { autoPackStore } from '../../store/pack/autoPackStore.js';
import { upgradeStoreFormat } from '../../store/storeFormat.js';
import type { Repo } from '../Repo.js';

/**
 * Automatic packing at the end of `add` and `fetch`, under their lock (git's
 * gc.auto): once about `gc.auto` objects are loose or there are more than
 * `gc.auto_pack_limit` packs, loose small objects are packed and small packs
 * merged (at most 1 GiB rewritten per run). Nothing is deleted as garbage:
 * that is `trove gc`'s. A shared cache is left alone (other repositories'
 * commands write it under their own locks). A failure only warns: the
 * command's own work is done and durable.
 */
export function autoPack(repo: Repo): RepackResult | undefined {
  if (!repo.privateStore) return undefined;
  const dir = repo.store.dir;
  try {
    const r = autoPackStore(dir, { auto: repo.config.gc.auto, autoPackLimit: repo.config.gc.auto_pack_limit, targetBytes: repo.store.packTargetBytes }, { fsync: repo.store.fsync, beforePublish: () => upgradeStoreFormat(dir, { fsync: repo.store.fsync }) });
    if (r) repo.store.packs.reload();
    return r;
  } catch (err) {
    repo.reporter.warn(`Automatic packing of the store stopped: ${(err as Error).message} (nothing is lost; trove gc packs it).`);
    return undefined;
  }
}
