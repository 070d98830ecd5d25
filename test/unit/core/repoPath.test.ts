import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRepoPath, isContainedLinkTarget, reservedName } from '../../../src/core/repoPath.js';
import { TroveError } from '../../../src/errors/index.js';

const unsafe = (err: unknown): boolean => err instanceof TroveError && err.code === 'UNSAFE_PATH';

test('checkRepoPath refuses .git and .trove at any depth, as a case-insensitive file system would see them', () => {
  for (const p of ['.git', '.trove', '.GIT/hooks/post-checkout', '.Git/config', 'a/.git/x', 'a/b/.GiT', '.Trove/x', 'x/.TROVE/config.yaml', '.git./config', '.git /x', '.git. . /x', 'a/.trove.', 'GIT~1/config', 'a/git~1', 'TROVE~1/cache', '.g\u200cit/hooks/x', '.\u200dTROVE/x', '.git::$INDEX_ALLOCATION/x', '.trove:stream']) {
    assert.throws(() => checkRepoPath(p, 'test'), unsafe, p);
  }
});

test('checkRepoPath accepts names that only resemble .git or .trove', () => {
  for (const p of ['.gitignore', 'a/.gitattributes', '.trove.trove', 'data.trove', 'a/.trovex', 'git', 'trove', 'a.git', 'git~2', '.github/workflows/ci.yml', 'x/.git-hooks/a', '..a', 'a..']) {
    assert.equal(checkRepoPath(p, 'test'), p, p);
  }
});

test('checkRepoPath refuses climbing, absolute, empty and NUL paths', () => {
  for (const p of ['', '../x', 'a/../b', './a', 'a//b', 'a/', '/etc/passwd', 'C:/x', 'a\\b', 'a\0b']) {
    assert.throws(() => checkRepoPath(p, 'test'), unsafe, JSON.stringify(p));
  }
});

test('reservedName says which name a component stands for', () => {
  assert.equal(reservedName('.GIT.'), '.git');
  assert.equal(reservedName('.Trove '), '.trove');
  assert.equal(reservedName('trove~1'), '.trove');
  assert.equal(reservedName('.gitmodules'), undefined);
});

test('a link target may climb with leading .. parts and then descend, inside the repository', () => {
  assert.equal(isContainedLinkTarget('data/readme', '../README'), true);
  assert.equal(isContainedLinkTarget('d/a/l', '..'), true);
  assert.equal(isContainedLinkTarget('d/a/b', '../../x/./y/'), true);
  assert.equal(isContainedLinkTarget('d/x', 'sub/file'), true);
});

test('a link target whose .. climbs through another part (a link: l -> .., esc -> l/..) is refused', () => {
  // Resolved as text `d/l/..` is `d`; on disk `l` is the root, and `l/..` is outside the repository.
  assert.equal(isContainedLinkTarget('d/esc', 'l/..'), false);
  assert.equal(isContainedLinkTarget('d/esc', 'a/../b'), false);
  assert.equal(isContainedLinkTarget('d/esc', '../a/../../b'), false);
});

test('a link target that leaves the repository, is absolute or names .git or .trove is refused', () => {
  for (const [link, target] of [['d/l', '../..'], ['l', '..'], ['d/l', '/etc/passwd'], ['d/l', 'C:/x'], ['d/l', ''], ['d/l', '../.git/hooks'], ['d/l', '../.GIT'], ['d/l', '../.trove/cache'], ['d/l', '../.Trove./config.yaml'], ['d/l', 'x\0y'], ['d/l', '..\\..\\x']]) {
    assert.equal(isContainedLinkTarget(link!, target!), false, `${link} -> ${target}`);
  }
});
