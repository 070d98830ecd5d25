import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTmpRepo, runCli, runJson } from '../helpers/tmpRepo.js';

/** Put raw bytes into the repo's store as an object and return its oid. */
function plantObject(dir: string, bytes: string): string {
  const hex = createHash('sha256').update(bytes).digest('hex');
  const p = join(dir, '.trove/cache/objects/sha256', hex.slice(0, 2), hex.slice(2));
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, bytes);
  return `sha256:${hex}`;
}

const dirPointer = (oid: string, files = 1) => `trove: 1\nkind: dir\noid: ${oid}\nsize: 5\nfiles: ${files}\n`;

test('a malformed pointer is reported by file name with a hint, for every reading command', () => {
  const repo = createTmpRepo();
  try {
    repo.write('model.pt.trove', 'this is not a pointer\n');
    // Reported, then skipped: one bad pointer does not stop the command for the others (badPointer.test.ts).
    for (const args of [['status'], ['checkout'], ['ls'], ['diff']]) {
      const r = runCli(repo.dir, args);
      assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /Pointer file model\.pt\.trove is invalid: line 1/);
      assert.match(r.stderr, /git checkout -- model\.pt\.trove/);
    }
    // Named, it is the error.
    const named = runCli(repo.dir, ['checkout', 'model.pt']);
    assert.equal(named.code, 1);
    assert.match(named.stderr, /hint:/);
  } finally {
    repo.cleanup();
  }
});

test('a pointer of a newer format version asks for an upgrade', () => {
  const repo = createTmpRepo();
  try {
    repo.write('m.trove', `trove: 7\nkind: file\noid: sha256:${'a'.repeat(64)}\nsize: 1\n`);
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.error.code, 'BAD_POINTER');
    assert.match(r.error.message, /m\.trove/);
    assert.match(r.error.hint, /Upgrade trove/);
  } finally {
    repo.cleanup();
  }
});

const hostileEntries: [string, string][] = [
  ['a .. component', `["../../escaped.txt","f",5,"OID"]`],
  ['an absolute path', `["/tmp/trove-escaped.txt","f",5,"OID"]`],
  ['a symlink pointing outside the repository', `["link","l",0,"../../../../../../etc/passwd"]`],
  ['a path into .git', `[".git/hooks/post-checkout","f",5,"OID"]`],
];
for (const [name, line] of hostileEntries) {
  test(`a manifest entry with ${name} is refused by checkout and nothing is written outside the repository`, () => {
    const repo = createTmpRepo();
    try {
      const content = plantObject(repo.dir, 'owned');
      const manifest = plantObject(repo.dir, `trove-manifest 1 leaf\n${line.replace('OID', content)}\n`);
      repo.write('data.trove', dirPointer(manifest));
      const r = runJson(repo.dir, ['checkout']);
      assert.equal(r.code, 1);
      assert.equal(r.error.code, 'UNSAFE_PATH');
      assert.ok(existsSync(join(repo.dir, '..', 'escaped.txt')) === false);
      assert.ok(existsSync('/tmp/trove-escaped.txt') === false);
      assert.equal(existsSync(join(repo.dir, 'data')), false);
      assert.ok(!readdirSync(join(repo.dir, '.git/hooks')).includes('post-checkout'));
    } finally {
      repo.cleanup();
    }
  });
}

test('a manifest with a NUL byte in a path is refused', () => {
  const repo = createTmpRepo();
  try {
    const content = plantObject(repo.dir, 'x');
    const manifest = plantObject(repo.dir, `trove-manifest 1 leaf\n["a\\u0000b","f",1,"${content}"]\n`);
    repo.write('data.trove', dirPointer(manifest));
    assert.equal(runJson(repo.dir, ['checkout']).error.code, 'UNSAFE_PATH');
  } finally {
    repo.cleanup();
  }
});

test('a pointer file whose own path climbs out of the repository is never followed', () => {
  const repo = createTmpRepo();
  try {
    // Git itself refuses such paths, so the command line is the only way in.
    const r = runJson(repo.dir, ['checkout', '../outside']);
    assert.equal(r.error.code, 'USAGE');
  } finally {
    repo.cleanup();
  }
});

test('checkout --rev of a revision that does not exist is one sentence and a hint', () => {
  const repo = createTmpRepo();
  try {
    repo.git('commit', '-qm', 'x');
    const r = runCli(repo.dir, ['checkout', '--rev', 'no-such-branch']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Git revision "no-such-branch" does not exist\.\nhint: /);
  } finally {
    repo.cleanup();
  }
});

test('a broken config file is a usage error naming the file', () => {
  const repo = createTmpRepo();
  try {
    repo.write('.trove/config.yaml', 'core: [unclosed\n');
    const r = runJson(repo.dir, ['status']);
    assert.equal(r.code, 2);
    assert.equal(r.error.code, 'CONFIG');
    assert.match(r.error.message, /config\.yaml/);
    repo.write('.trove/config.yaml', 'version: 1\ncore:\n  link: teleport\n');
    assert.match(runJson(repo.dir, ['status']).error.message, /core\.link/);
  } finally {
    repo.cleanup();
  }
});
