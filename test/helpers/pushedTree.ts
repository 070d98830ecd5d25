import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FileEntry } from '../../src/core/manifest.js';
import { compareEntries } from '../../src/core/manifestTree.js';
import { silentReporter } from '../../src/core/Reporter.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { writeManifest } from '../../src/store/manifestIO.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { localClosure, type TransferRoot } from '../../src/transfer/closure.js';
import { pushObjects } from '../../src/transfer/pushObjects.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { pseudoRandom } from './tmpRepo.js';

/** A retry policy with no real waiting. */
export const fastPolicy = { retries: 2, baseDelayMs: 1, maxDelayMs: 5 };

/**
 * 350 files, 300 distinct contents of 600–899 bytes (small: packed; the 50
 * repeats land in later fetch batches than their first copy), written to a
 * store under `base/src` and pushed to a directory remote at `base/remote`.
 */
export async function pushedTree(base: string): Promise<{ remote: DirectoryBackend; roots: TransferRoot[]; entries: FileEntry[] }> {
  const src = new ObjectStore(join(base, 'src'));
  const entries: FileEntry[] = [];
  for (let i = 0; i < 350; i++) {
    const data = pseudoRandom(600 + (i % 300), (i % 300) + 1);
    entries.push({ path: `d${String(i % 7)}/f${String(i).padStart(4, '0')}.bin`, mode: 'f', size: data.length, oid: src.putBytes(data).oid });
  }
  entries.sort(compareEntries);
  const { root } = writeManifest(src, entries);
  const roots: TransferRoot[] = [{ kind: 'dir', oid: root, what: 'data' }];
  const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
  const pushed = await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx-push'), { jobs: 2, policy: fastPolicy }), localClosure(src, roots).items, { jobs: 2, policy: fastPolicy, reporter: silentReporter });
  assert.deepEqual(pushed.failed, []);
  return { remote, roots, entries };
}
