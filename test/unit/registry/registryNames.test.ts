import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  NAME_RE,
  checkName,
  isValidName,
  parseVersion,
  normalizeVersion,
  compareVersions,
  bumpVersion,
  formatTag,
  parseTag,
  nextCounter,
  mlgitAlias,
  parseMlgitAlias,
} from '../../../src/core/registryNames.js';
import { TroveError } from '../../../src/errors/index.js';

function ruleOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TroveError);
    assert.equal(err.code, 'BAD_NAME');
    return String(err.data?.rule);
  }
  assert.fail('expected BAD_NAME');
}

test('registryNames refuses space / dotdot / at / hash / tilde / caret / leading dash / uppercase / reserved word, naming the rule', () => {
  const cases: [string, string][] = [
    ['my data', 'characters'],
    ['a..b', 'characters'],
    ['a@b', 'characters'],
    ['a#b', 'characters'],
    ['a~1', 'characters'],
    ['a^b', 'characters'],
    ['a:b', 'characters'],
    ['a/b', 'characters'],
    ['a_b', 'characters'],
    ['a.lock', 'characters'],
    ['trailing-', 'characters'],
    ['Mnist', 'characters'],
    ['-x', 'leading-dash'],
    ['latest', 'reserved'],
    ['greatest', 'reserved'],
    ['deprecated', 'reserved'],
    ['created', 'reserved'],
    ['head', 'reserved'],
    ['', 'empty'],
    ['a'.repeat(101), 'too-long'],
  ];
  for (const [name, rule] of cases) {
    assert.equal(ruleOf(() => checkName('entity', name)), rule, name);
  }
  for (const kind of ['entity', 'type', 'category', 'stage'] as const) {
    checkName(kind, 'mnist');
    try {
      checkName(kind, 'A');
      assert.fail();
    } catch (err) {
      assert.equal((err as TroveError).data?.kind, kind);
    }
  }
  for (const ok of ['mnist', 'labelsmnist', 'model-v2', '0', 'a1', 'a'.repeat(100)]) assert.ok(isValidName(ok), ok);
});

function* names(seed: number, count: number): Generator<string> {
  // A small LCG: deterministic names across runs, no dependency.
  let x = seed >>> 0;
  const next = (n: number) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
  let made = 0;
  while (made < count) {
    const len = 1 + next(next(4) === 0 ? 100 : 12);
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[next(alphabet.length)];
    if (!isValidName(s)) continue;
    made++;
    yield s;
  }
}

test('every name the regex accepts passes git check-ref-format', () => {
  const sample = ['0', 'a', 'a-b', 'a--b', 'x'.repeat(100), 'lock', 'a-lock', ...names(14, 60)];
  for (const name of sample) {
    assert.match(name, NAME_RE);
    for (const tag of [formatTag.register(name, 'v1.2.3'), formatTag.deregister(name, 'v1.2.3-rc.1+b5', 3), formatTag.deprecate(name, 2)]) {
      // Real git is the oracle: throws when the ref is refused.
      execFileSync('git', ['check-ref-format', `refs/tags/${tag}`], { stdio: 'ignore' });
    }
    // and GTO's grammar reads the name back unchanged
    assert.deepEqual(parseTag(formatTag.register(name, 'v1.2.3')), { kind: 'register', name, version: 'v1.2.3' });
  }
});

test('parseTag reads GTO register, deregister, assign#N, deprecated#N; ignores foreign tags', () => {
  assert.deepEqual(parseTag('mnist@v2.0.0'), { kind: 'register', name: 'mnist', version: 'v2.0.0' });
  assert.deepEqual(parseTag('mnist@v2.0.0#4'), { kind: 'register', name: 'mnist', version: 'v2.0.0', counter: 4 });
  assert.deepEqual(parseTag('mnist@v1.0.0-rc.1+build.5!#7'), { kind: 'deregister', name: 'mnist', version: 'v1.0.0-rc.1+build.5', counter: 7 });
  assert.deepEqual(parseTag('mnist@v1.0.0!'), { kind: 'deregister', name: 'mnist', version: 'v1.0.0' });
  assert.deepEqual(parseTag('modelmnist#production#3'), { kind: 'assign', name: 'modelmnist', stage: 'production', counter: 3 });
  assert.deepEqual(parseTag('modelmnist#production!#5'), { kind: 'unassign', name: 'modelmnist', stage: 'production', counter: 5 });
  assert.deepEqual(parseTag('mnist@deprecated#9'), { kind: 'deprecate', name: 'mnist', counter: 9 });
  assert.deepEqual(parseTag('mnist@created'), { kind: 'create', name: 'mnist' });
  assert.deepEqual(parseTag('models=rf@v1.0.0'), { kind: 'register', name: 'models:rf', version: 'v1.0.0' });
  assert.deepEqual(parseTag('dir/sub=a/b@v0.1.0'), { kind: 'register', name: 'dir/sub:a/b', version: 'v0.1.0' });
  for (const foreign of [
    'v1.0.0',
    'release-2024',
    'handwritten__digits__modelmnist__2',
    'mnist@1.0.0', // GTO needs the v
    'mnist@v1.0',
    'mnist@v01.0.0',
    'Mnist@v1.0.0',
    'mnist@latest',
    'mnist@deprecated!',
    'mnist@v1.0.0#',
    'mnist@v1.0.0#x',
    '-mnist@v1.0.0',
  ]) {
    assert.equal(parseTag(foreign), null, foreign);
  }
  assert.equal(formatTag.register('mnist', 'v2.0.0'), 'mnist@v2.0.0');
  assert.equal(formatTag.deregister('mnist', 'v2.0.0', 3), 'mnist@v2.0.0!#3');
  assert.equal(formatTag.deprecate('mnist', 4), 'mnist@deprecated#4');
  assert.equal(formatTag.assign('m', 'dev', 1), 'm#dev#1');
  assert.equal(formatTag.unassign('m', 'dev', 2), 'm#dev!#2');
  assert.equal(nextCounter(['mnist@v1.0.0', 'mnist@v1.0.0!#3', 'mnist#prod#5', 'other@deprecated#9', 'x'], 'mnist'), 6);
  assert.equal(nextCounter([], 'mnist'), 1);
});

test('mlgit alias handwritten__digits__modelmnist__2 resolves to v2.0.0; wrong categories do not', () => {
  const rec = { name: 'modelmnist', categories: ['handwritten', 'digits'] };
  assert.equal(mlgitAlias(rec, 'v2.0.0'), 'handwritten__digits__modelmnist__2');
  assert.equal(mlgitAlias(rec, 'v2.1.0'), null);
  assert.equal(mlgitAlias(rec, 'v2.0.1'), null);
  assert.equal(mlgitAlias(rec, 'v2.0.0-rc.1'), null);
  assert.equal(mlgitAlias({ name: 'x', categories: [] }, 'v1.0.0'), null);
  assert.equal(mlgitAlias({ name: 'x', categories: ['c'] }, 'v1.0.0'), 'c__x__1');
  assert.deepEqual(parseMlgitAlias('handwritten__digits__modelmnist__2'), { categories: ['handwritten', 'digits'], name: 'modelmnist', number: 2 });
  assert.deepEqual(parseMlgitAlias('c__x__10'), { categories: ['c'], name: 'x', number: 10 });
  for (const no of ['modelmnist__2', 'a__b__c', 'a__b__2x', 'a___b__2', '__a__b__2', 'mnist@v1.0.0', 'a__b__']) {
    assert.equal(parseMlgitAlias(no), null, no);
  }
  // the resolve side (categories must match the declaration) is in resolveRef.test.ts
});

test('bump major/minor/patch; explicit 3 means v3.0.0', () => {
  assert.equal(bumpVersion(null, 'major'), 'v1.0.0');
  assert.equal(bumpVersion(null, 'patch'), 'v1.0.0');
  assert.equal(bumpVersion('v1.2.3', 'major'), 'v2.0.0');
  assert.equal(bumpVersion('v1.2.3', 'minor'), 'v1.3.0');
  assert.equal(bumpVersion('v1.2.3', 'patch'), 'v1.2.4');
  assert.equal(bumpVersion('v1.2.3-rc.1+b', 'patch'), 'v1.2.4');
  assert.equal(normalizeVersion('3'), 'v3.0.0');
  assert.equal(normalizeVersion('v3'), 'v3.0.0');
  assert.equal(normalizeVersion('1.2.0'), 'v1.2.0');
  assert.equal(normalizeVersion('v1.2.0'), 'v1.2.0');
  assert.equal(normalizeVersion('1.0.0-rc.1+build.7'), 'v1.0.0-rc.1+build.7');
  for (const bad of ['', 'v', '1.2', '01', 'v1.02.0', '1.2.3.4', 'latest', 'v1.0.0-', '-1', '1e3', ' 1']) {
    assert.equal(ruleOf(() => normalizeVersion(bad)), 'version', bad);
  }
  assert.deepEqual(parseVersion('v1.2.3-alpha.1+b7'), { major: 1, minor: 2, patch: 3, pre: 'alpha.1', build: 'b7' });
  const sorted = ['v1.0.0', 'v1.0.0-alpha', 'v1.0.0-alpha.1', 'v1.0.0-alpha.beta', 'v1.0.0-beta', 'v1.0.0-beta.2', 'v1.0.0-beta.11', 'v1.0.0-rc.1', 'v0.9.9', 'v10.0.0', 'v2.0.0'].sort(compareVersions);
  assert.deepEqual(sorted, ['v0.9.9', 'v1.0.0-alpha', 'v1.0.0-alpha.1', 'v1.0.0-alpha.beta', 'v1.0.0-beta', 'v1.0.0-beta.2', 'v1.0.0-beta.11', 'v1.0.0-rc.1', 'v1.0.0', 'v2.0.0', 'v10.0.0']);
  assert.equal(compareVersions('v1.0.0', 'v1.0.0'), 0);
});

test('registryNames refuses show and diff as entity names: trove metrics show|diff are subcommands and would shadow them', () => {
  for (const name of ['show', 'diff']) assert.equal(ruleOf(() => checkName('entity', name)), 'reserved', name);
  checkName('entity', 'showcase');
  checkName('entity', 'diff-model');
});
