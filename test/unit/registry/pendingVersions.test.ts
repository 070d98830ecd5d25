import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addPendingVersion, clearPendingVersions, readPendingVersions } from '../../../src/registry/pendingVersions.js';

const OID = 'sha256:3ea2b94a6bf050683ddbc0f4206c9b3748687164f30cbccdfeae2e2738c52f80';

test('pending-versions.json golden: sorted by tag, fixed key order; cleared by tag; garbage reads as empty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-pending-'));
  try {
    addPendingVersion(dir, { tag: 'mnist@v2.0.0', kind: 'dir', oid: OID, path: 'dataset/handwritten/digits/mnist' });
    addPendingVersion(dir, { tag: 'm@v1.0.0', kind: 'file', oid: OID, path: 'model.pt' });
    assert.equal(
      readFileSync(join(dir, 'tmp/pending-versions.json'), 'utf8'),
      `{\n "version": 1,\n "versions": [\n  {\n   "tag": "m@v1.0.0",\n   "kind": "file",\n   "oid": "${OID}",\n   "path": "model.pt"\n  },\n  {\n   "tag": "mnist@v2.0.0",\n   "kind": "dir",\n   "oid": "${OID}",\n   "path": "dataset/handwritten/digits/mnist"\n  }\n ]\n}\n`,
    );
    clearPendingVersions(dir, ['m@v1.0.0']);
    assert.deepEqual(readPendingVersions(dir).map((v) => v.tag), ['mnist@v2.0.0']);
    writeFileSync(join(dir, 'tmp/pending-versions.json'), '{not json');
    assert.deepEqual(readPendingVersions(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
