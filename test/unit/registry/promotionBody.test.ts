import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promotionBody, upstreamLineage } from '../../../src/registry/promotionBody.js';
import type { RegisteredVersion, RegistryEntity, RegistrySnapshot } from '../../../src/core/registryTypes.js';

const v = (entity: string, type: string, version: string, over: Partial<RegisteredVersion> = {}): RegisteredVersion => ({ format: 1, entity, type, version, path: `${type}/handwritten/digits/${entity}`, dataOid: 'sha256:' + 'a'.repeat(64), dataKind: 'dir', dataSize: 4096, dataFiles: 2, uses: [], metrics: {}, tag: `${entity}@${version}`, commit: 'c'.repeat(40), time: 1767261600, author: 'Ann <ann@example.com>', deprecated: false, ...over });
const m1 = v('modelmnist', 'model', 'v1.0.0', { metrics: { accuracy: 0.95, loss: 0.2 }, uses: ['labelsmnist@v1.0.0', 'mnist@v1.0.0'] });
const m2 = v('modelmnist', 'model', 'v2.0.0', { metrics: { accuracy: 0.9746, f1: 'n/a' }, uses: ['labelsmnist@v2.0.0', 'mnist@v2.0.0'], dataSize: 5120, dataFiles: 3 });
const d2 = v('mnist', 'dataset', 'v2.0.0', { uses: ['raw@v1.0.0'] });
const l2 = v('labelsmnist', 'labels', 'v2.0.0', { uses: ['mnist@v2.0.0'] });
const entity = (versions: RegisteredVersion[]): RegistryEntity => ({ record: { format: 1, name: versions[0]!.entity, type: versions[0]!.type, categories: [], path: versions[0]!.path, mutability: 'mutable', description: '' }, file: '', deprecated: false, versions, stages: {} });
const snapshot: RegistrySnapshot = { commit: null, warnings: [], entities: new Map([['modelmnist', entity([m1, m2])], ['mnist', entity([d2])], ['labelsmnist', entity([l2])]]) };

test('upstreamLineage walks uses recursively, each version once, and flags versions not registered', () => {
  assert.deepEqual(upstreamLineage(snapshot, 'modelmnist@v2.0.0'), [
    { tag: 'labelsmnist@v2.0.0', type: 'labels', depth: 1 },
    { tag: 'mnist@v2.0.0', type: 'dataset', depth: 1 },
    { tag: 'raw@v1.0.0', type: 'unknown', depth: 2, missing: true },
  ]);
});

test('promotionBody golden: metrics beside the holder, lineage, data changed, data on remote', () => {
  const body = promotionBody({ entity: 'modelmnist', stage: 'production', version: m2, holders: [m1], lineage: upstreamLineage(snapshot, m2.tag), change: { from: 'v1.0.0', to: 'v2.0.0', added: 1, removed: 0, modified: 1, bytesAdded: 1024, bytesRemoved: 0, netBytes: 1024 }, dataRemote: 'storage', command: 'trove promote modelmnist@v2.0.0 --to production' });
  assert.equal(body, `Promote **modelmnist v2.0.0** to **production** (holds v1.0.0 now).

- tag: \`modelmnist@v2.0.0\` (commit cccccccccccc)
- registered: 2026-01-01T10:00:00Z by Ann <ann@example.com>
- data: \`model/handwritten/digits/modelmnist\`, 3 file(s), 5.0 KiB

### Metrics

| metric | v1.0.0 (production now) | v2.0.0 (promoted) |
|---|---:|---:|
| accuracy | 0.95 | 0.9746 |
| f1 | — | n/a |
| loss | 0.2 | — |

### Lineage

- \`modelmnist@v2.0.0\`
  - \`labelsmnist@v2.0.0\` (labels)
  - \`mnist@v2.0.0\` (dataset)
    - \`raw@v1.0.0\` (unknown) — not registered in this repository

### Data changed

Against v1.0.0: 1 file(s) added (+1.0 KiB), 0 removed (-0 B), 1 changed; net +1.0 KiB.

Data on remote: yes (storage)

---
Made by \`trove promote modelmnist@v2.0.0 --to production\`. Merging this changes \`.trove/registry/stages/modelmnist.yaml\`; after the merge, \`trove registry\` shows v2.0.0 in production.
`);
});

test('promotionBody for an empty stage: one metrics column, all data new', () => {
  const body = promotionBody({ entity: 'modelmnist', stage: 'staging', version: m1, holders: [], lineage: [], change: null, dataRemote: null, command: 'x' });
  assert.match(body, /\(empty now\)/);
  assert.match(body, /\| metric \| v1\.0\.0 \(promoted\) \|\n\|---\|---:\|\n\| accuracy \| 0\.95 \|/);
  assert.match(body, /No version holds staging now: all 2 file\(s\), 4\.0 KiB, are new to it\./);
  assert.match(body, /Data on remote: no/);
});
