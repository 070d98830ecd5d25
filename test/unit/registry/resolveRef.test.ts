import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRef, isRegistryRef, refForm, parseRef, latestVersion } from '../../../src/core/resolveRef.js';
import { TroveError } from '../../../src/errors/index.js';
import { makeSnapshot, mnistSnapshot, fakeCommit } from '../../helpers/registrySnapshot.js';

function fails(fn: () => unknown, code = 'NOT_FOUND'): TroveError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TroveError);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail('expected an error');
}

const cats = ['handwritten', 'digits'];
const snap = makeSnapshot([
  {
    name: 'modelmnist',
    type: 'model',
    categories: cats,
    versions: [
      { version: 'v1.0.0' },
      { version: 'v2.0.0' },
      { version: 'v2.1.0' },
      { version: 'v10.0.0-rc.1' },
      { version: 'v3.0.0', deprecated: true },
    ],
    stages: {
      production: [
        { version: 'v2.0.0', commit: fakeCommit('modelmnist@v2.0.0'), assigned: '2025-05-02T00:00:00Z', by: 'Ann <a@x>' },
        { version: 'v1.0.0', commit: fakeCommit('modelmnist@v1.0.0'), assigned: '2025-05-01T00:00:00Z', by: 'Ann <a@x>' },
      ],
      staging: [],
      dev: [{ version: 'v9.0.0', commit: 'f'.repeat(40), assigned: '2025-05-01T00:00:00Z', by: 'Bob <b@x>' }],
    },
  },
  { name: 'empty', type: 'dataset' },
  { name: 'gone', type: 'dataset', versions: [{ version: 'v1.0.0', deprecated: true }] },
]);
const tag = (ref: string) => resolveRef(snap, ref).version.tag;

test('resolveRef: NAME, NAME@latest, NAME@vX.Y.Z, NAME@X, NAME#STAGE; deprecated versions are not latest', () => {
  assert.equal(tag('modelmnist'), 'modelmnist@v10.0.0-rc.1');
  assert.equal(tag('modelmnist@latest'), 'modelmnist@v10.0.0-rc.1');
  assert.equal(tag('modelmnist@greatest'), 'modelmnist@v10.0.0-rc.1');
  assert.equal(tag('modelmnist@v2.1.0'), 'modelmnist@v2.1.0');
  assert.equal(tag('modelmnist@2.1.0'), 'modelmnist@v2.1.0');
  assert.equal(tag('modelmnist@2'), 'modelmnist@v2.0.0');
  assert.equal(tag('modelmnist@v2'), 'modelmnist@v2.0.0');
  assert.equal(tag('modelmnist@v3.0.0'), 'modelmnist@v3.0.0'); // deprecated, but asked for by name
  assert.equal(tag('modelmnist#production'), 'modelmnist@v2.0.0'); // newest assignment
  assert.equal(resolveRef(snap, 'modelmnist').entity.record.name, 'modelmnist');
  const onlyReleases = makeSnapshot([{ name: 'm', versions: [{ version: 'v1.0.0' }, { version: 'v1.10.0' }, { version: 'v1.9.0' }, { version: 'v2.0.0', deprecated: true }] }]);
  assert.equal(latestVersion(onlyReleases.entities.get('m')!)?.version, 'v1.10.0');
});

test('mlgit alias handwritten__digits__modelmnist__2 resolves to v2.0.0; wrong categories do not', () => {
  assert.equal(tag('handwritten__digits__modelmnist__2'), 'modelmnist@v2.0.0');
  assert.equal(tag('handwritten__digits__modelmnist__1'), 'modelmnist@v1.0.0');
  const wrong = fails(() => resolveRef(snap, 'digits__handwritten__modelmnist__2'));
  assert.equal(wrong.data?.entity, 'modelmnist');
  fails(() => resolveRef(snap, 'handwritten__modelmnist__2'));
  fails(() => resolveRef(snap, 'handwritten__digits__modelmnist__7'));
  assert.equal(isRegistryRef(snap, 'handwritten__digits__modelmnist__2'), true);
  assert.equal(isRegistryRef(snap, 'digits__handwritten__modelmnist__2'), false);
  // the 002 registry: every model version has its alias
  const m = mnistSnapshot();
  assert.equal(resolveRef(m, 'handwritten__digits__labelsmnist__1').version.tag, 'labelsmnist@v1.0.0');
});

test('resolveRef: unknown names, versions and empty stages are NOT_FOUND with a hint and what exists', () => {
  const noEntity = fails(() => resolveRef(snap, 'nosuch@v1.0.0'));
  assert.equal(noEntity.hint, 'trove registry');
  assert.deepEqual(noEntity.data?.known, ['empty', 'gone', 'modelmnist']);
  const noVersion = fails(() => resolveRef(snap, 'modelmnist@v7.0.0'));
  assert.deepEqual(noVersion.data?.versions, ['v1.0.0', 'v2.0.0', 'v2.1.0', 'v3.0.0', 'v10.0.0-rc.1']);
  assert.equal(noVersion.data?.version, 'v7.0.0');
  assert.match(String(noVersion.hint), /^trove registry history modelmnist$/);
  assert.equal(fails(() => resolveRef(snap, 'empty')).hint, 'trove version empty');
  assert.equal(fails(() => resolveRef(snap, 'gone')).data?.entity, 'gone');
  assert.equal(fails(() => resolveRef(snap, 'modelmnist#staging')).data?.stage, 'staging');
  fails(() => resolveRef(snap, 'modelmnist#qa'));
  assert.equal(fails(() => resolveRef(snap, 'modelmnist#dev')).data?.version, 'v9.0.0'); // tag not fetched here
  fails(() => resolveRef(snap, './data/x'));
  fails(() => resolveRef(snap, 'Model@v1.0.0'));
  assert.equal(fails(() => resolveRef(snap, 'modelmnist@1.2'), 'BAD_NAME').data?.rule, 'version');
});

test('isRegistryRef follows the checkout dispatch rule (declared entity; bare names left to the caller)', () => {
  assert.equal(isRegistryRef(snap, 'modelmnist@v1.0.0'), true);
  assert.equal(isRegistryRef(snap, 'modelmnist@latest'), true);
  assert.equal(isRegistryRef(snap, 'modelmnist#production'), true);
  assert.equal(refForm(snap, 'modelmnist'), 'bare');
  assert.equal(refForm(snap, 'modelmnist@2'), 'version');
  assert.equal(isRegistryRef(snap, 'other@v1.0.0'), false);
  assert.equal(isRegistryRef(snap, 'data/images'), false);
  assert.equal(isRegistryRef(snap, 'model.pt'), false);
  assert.equal(isRegistryRef(snap, 'undeclared'), false);
  assert.deepEqual(parseRef('a#b'), { form: 'stage', name: 'a', stage: 'b' });
  assert.deepEqual(parseRef('c1__a__3'), { form: 'alias', name: 'a', categories: ['c1'], version: 'v3.0.0' });
  assert.equal(parseRef('a b'), null);
});
