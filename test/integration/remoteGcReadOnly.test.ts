import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTroveError } from '../../src/errors/index.js';
import { silentReporter } from '../../src/core/Reporter.js';
import type { Backend } from '../../src/remote/Backend.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { collectRemoteGarbage } from '../../src/transfer/collectRemoteGarbage.js';
import { localClosure } from '../../src/transfer/closure.js';
import { pushObjects } from '../../src/transfer/pushObjects.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';

const policy = { retries: 1, baseDelayMs: 1, maxDelayMs: 2 };

test('gc -r on a read-only remote is a PERMISSION error with a hint before anything is read or deleted; --dry-run still reports', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-gcro-'));
  try {
    const store = new ObjectStore(join(base, 'store'));
    const { oid } = store.putBytes(pseudoRandom(10_000, 3));
    const dir = new DirectoryBackend(join(base, 'remote'), 'ro');
    const index = await RemoteIndex.load(dir, join(base, 'idx'), { jobs: 1, policy });
    await pushObjects(dir, index, localClosure(store, [{ kind: 'file', oid, what: 'm.bin' }]).items, { jobs: 1, policy, reporter: silentReporter });
    const before = readdirSync(join(base, 'remote', 'packs')).sort();
    // A remote that can be read and listed but not written (a read-only mount or credentials).
    const readOnly: Backend = Object.assign(Object.create(dir) as Backend, { readOnly: true });
    const ro = await RemoteIndex.load(readOnly, join(base, 'idx'), { jobs: 1, policy });
    const opts = { graceMs: 0, jobs: 1, policy, reporter: silentReporter };
    await assert.rejects(collectRemoteGarbage(readOnly, ro, store, [], { ...opts, dryRun: false }), (e) => isTroveError(e, 'PERMISSION') && /read-only/.test(e.message) && /--dry-run/.test(e.hint ?? ''));
    const dry = await collectRemoteGarbage(readOnly, ro, store, [], { ...opts, dryRun: true });
    assert.equal(dry.deletedPacks.length, 1, 'the dry run names the unused pack');
    assert.deepEqual(readdirSync(join(base, 'remote', 'packs')).sort(), before, 'nothing deleted');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
