// A repository someone else wrote must not make trove reach outside it (issue 13, points A and B).
// Each test is named after the failure it prevents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTmpRepo, runCli, runJson, objectPath, type TmpRepo } from '../helpers/tmpRepo.js';
import { withSandbox } from '../helpers/hookSandbox.js';

/** Put raw bytes into a store directory as an object and return its oid. */
function plant(storeDir: string, bytes: string): string {
  const hex = createHash('sha256').update(bytes).digest('hex');
  const p = join(storeDir, 'objects/sha256', hex.slice(0, 2), hex.slice(2));
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, bytes);
  return `sha256:${hex}`;
}

const filePointer = (oid: string, size: number) => `trove: 1\nkind: file\noid: ${oid}\nsize: ${size}\n`;
const dirPointer = (oid: string, files: number) => `trove: 1\nkind: dir\noid: ${oid}\nsize: 5\nfiles: ${files}\n`;

/** An empty directory outside every repository, to assert nothing lands there. */
function outsideDir(): string {
  return mkdtempSync(join(tmpdir(), 'trove-outside-'));
}

/** A repository tracking sub/data (committed), whose directory `sub` is then moved outside and replaced by a symlink to it. */
function repoWithSymlinkedParent(): { repo: TmpRepo; outside: string } {
  const repo = createTmpRepo();
  repo.write('sub/data', 'tracked bytes');
  assert.equal(runCli(repo.dir, ['add', 'sub/data']).code, 0);
  repo.git('commit', '-qm', 'data');
  const outside = outsideDir();
  rmSync(join(repo.dir, 'sub/data'));
  renameSync(join(repo.dir, 'sub'), join(outside, 'sub'));
  symlinkSync(join(outside, 'sub'), join(repo.dir, 'sub'));
  return { repo, outside };
}

test('checkout does not write through a work-tree symlink in front of a tracked path', () => {
  const { repo, outside } = repoWithSymlinkedParent();
  try {
    for (const args of [['checkout'], ['checkout', '--force'], ['checkout', '--rev', 'HEAD']]) {
      const r = runJson(repo.dir, args);
      assert.notEqual(r.code, 0, `${args.join(' ')} must refuse`);
      assert.equal(r.error.code, 'UNSAFE_PATH', args.join(' '));
      assert.match(r.error.hint, /sub/);
      assert.deepEqual(readdirSync(join(outside, 'sub')).sort(), ['.gitignore', 'data.trove'], `${args.join(' ')} wrote nothing outside`);
    }
  } finally {
    repo.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('pull does not write through a work-tree symlink in front of a tracked path', () => {
  const repo = createTmpRepo();
  const remote = outsideDir();
  const outside = outsideDir();
  try {
    assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 'storage', remote]).code, 0);
    repo.write('sub/data', 'tracked bytes');
    assert.equal(runCli(repo.dir, ['add', 'sub/data']).code, 0);
    repo.git('commit', '-qm', 'data');
    assert.equal(runCli(repo.dir, ['push']).code, 0);
    rmSync(join(repo.dir, 'sub/data'));
    renameSync(join(repo.dir, 'sub'), join(outside, 'sub'));
    symlinkSync(join(outside, 'sub'), join(repo.dir, 'sub'));
    const r = runJson(repo.dir, ['pull']);
    assert.equal(r.error?.code, 'UNSAFE_PATH', r.stderr);
    assert.equal(existsSync(join(outside, 'sub/data')), false, 'no data written outside');
  } finally {
    repo.cleanup();
    rmSync(remote, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test('checkout --rev of a commit does not write data, pointer or .gitignore through a symlink committed in Git', () => {
  const repo = createTmpRepo();
  const outside = outsideDir();
  try {
    repo.write('sub/data', 'tracked bytes');
    assert.equal(runCli(repo.dir, ['add', 'sub/data']).code, 0);
    repo.git('commit', '-qm', 'data');
    assert.equal(runCli(repo.dir, ['rm', '--delete', 'sub/data']).code, 0);
    repo.git('rm', '-rqf', '--ignore-unmatch', 'sub');
    rmSync(join(repo.dir, 'sub'), { recursive: true, force: true });
    symlinkSync(outside, join(repo.dir, 'sub'));
    repo.git('add', 'sub');
    repo.git('commit', '-qm', 'sub is now a symlink');
    const r = runJson(repo.dir, ['checkout', '--rev', 'HEAD~1']);
    assert.equal(r.error?.code, 'UNSAFE_PATH', r.stderr);
    assert.deepEqual(readdirSync(outside), [], 'not data, not the pointer, not .gitignore');
  } finally {
    repo.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('trove rm --delete does not delete through a work-tree symlink in front of a tracked path', () => {
  const { repo, outside } = repoWithSymlinkedParent();
  try {
    writeFileSync(join(outside, 'sub/data'), 'somebody else\'s file');
    const r = runJson(repo.dir, ['rm', '--delete', '--force', 'sub/data']);
    assert.equal(r.error?.code, 'UNSAFE_PATH', r.stderr);
    assert.equal(readFileSync(join(outside, 'sub/data'), 'utf8'), 'somebody else\'s file');
    assert.ok(existsSync(join(outside, 'sub/data.trove')));
  } finally {
    repo.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('a symlink chain inside a tracked directory (l -> .., esc -> l/..) that resolves outside is refused', () => {
  const repo = createTmpRepo();
  try {
    const store = join(repo.dir, '.trove/cache');
    const manifest = plant(store, 'trove-manifest 1 leaf\n["esc","l",0,"l/.."]\n["l","l",0,".."]\n');
    repo.write('d.trove', dirPointer(manifest, 2));
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.error?.code, 'UNSAFE_PATH', r.stderr);
    assert.equal(existsSync(join(repo.dir, 'd/esc')) || isLink(join(repo.dir, 'd/esc')), false, 'the escaping link was not created');
  } finally {
    repo.cleanup();
  }
});

test('trove add refuses a symlink chain (l -> .., esc -> l/..) that resolves outside the repository', () => {
  const repo = createTmpRepo();
  try {
    repo.write('d/file', 'x');
    symlinkSync('..', join(repo.dir, 'd/l'));
    symlinkSync('l/..', join(repo.dir, 'd/esc'));
    const r = runJson(repo.dir, ['add', 'd']);
    assert.equal(r.error?.code, 'UNSAFE_PATH', r.stderr);
    assert.match(r.error.message, /d\/esc/);
    assert.equal(existsSync(join(repo.dir, 'd.trove')), false);
  } finally {
    repo.cleanup();
  }
});

test('a hostile clone with trove hooks installed globally writes nothing outside the clone', withSandbox((s) => {
  // The attacker's repository: a tracked directory `a` whose manifest makes
  // a/l -> .. and a/b -> l/.. (the clone's parent directory), and a nested
  // pointer a/b/pwned.trove that Git checks out first. Its content comes from
  // a store the committed config names (core.cache), so no remote is needed.
  const store = join(s.base, 'attacker-store');
  const evil = 'attacker-chosen bytes\n';
  const evilOid = plant(store, evil);
  const nested = filePointer(evilOid, evil.length);
  const nestedOid = plant(store, nested);
  const manifest = plant(store, `trove-manifest 1 leaf\n["b","l",0,"l/.."]\n["l","l",0,".."]\n["z","f",${nested.length},"${nestedOid}"]\n`);
  const attacker = s.init('attacker');
  assert.equal(s.trove(attacker, 'init').code, 0);
  s.write(join(attacker, '.trove/config.yaml'), `version: 1\ncore:\n  cache: ${store}\n`);
  s.write(join(attacker, 'a.trove'), dirPointer(manifest, 3));
  s.write(join(attacker, 'a/b/pwned.trove'), nested);
  s.git(attacker, 'add', '-f', '.trove/config.yaml', '.trove/.gitignore', 'a.trove', 'a/b/pwned.trove');
  s.git(attacker, 'commit', '-qm', 'innocent-looking data');
  s.git(attacker, 'push', '-q', s.origin, 'main');

  assert.equal(s.trove(s.base, 'install', '--global').code, 0);
  mkdirSync(join(s.base, 'victim'));
  const before = readdirSync(join(s.base, 'victim'));
  const clone = s.gitRun(join(s.base, 'victim'), ['clone', '-q', s.origin, 'repo']);
  assert.equal(clone.code, 0, clone.stderr);
  assert.match(clone.stderr, /trove/, 'the post-checkout hook ran');
  assert.deepEqual(readdirSync(join(s.base, 'victim')), [...before, 'repo'], 'nothing written beside the clone');
  assert.equal(existsSync(join(s.base, 'pwned')), false);
  assert.equal(isLink(join(s.base, 'victim/repo/a/b')), false, 'the escaping link was not created');
}));

test('a hostile clone whose manifest link leads into a symlink committed in Git writes nothing through it', withSandbox((s) => {
  // a/b -> ../s obeys the link rule (inside the repository as text), but `s`
  // is a symlink committed in Git that points outside; the nested pointer
  // a/b/pwned.trove (checked out by Git first) then aims a write through both.
  const outside = join(s.base, 'outside');
  mkdirSync(outside);
  const store = join(s.base, 'attacker-store');
  const evil = 'attacker-chosen bytes\n';
  const evilOid = plant(store, evil);
  const nested = filePointer(evilOid, evil.length);
  const nestedOid = plant(store, nested);
  const manifest = plant(store, `trove-manifest 1 leaf\n["b","l",0,"../s"]\n["z","f",${nested.length},"${nestedOid}"]\n`);
  const attacker = s.init('attacker');
  assert.equal(s.trove(attacker, 'init').code, 0);
  s.write(join(attacker, '.trove/config.yaml'), `version: 1\ncore:\n  cache: ${store}\n`);
  s.write(join(attacker, 'a.trove'), dirPointer(manifest, 2));
  s.write(join(attacker, 'a/b/pwned.trove'), nested);
  symlinkSync(outside, join(attacker, 's'));
  s.git(attacker, 'add', '-f', '.trove/config.yaml', '.trove/.gitignore', 'a.trove', 'a/b/pwned.trove', 's');
  s.git(attacker, 'commit', '-qm', 'innocent-looking data');
  s.git(attacker, 'push', '-q', s.origin, 'main');

  assert.equal(s.trove(s.base, 'install', '--global').code, 0);
  const clone = s.gitRun(s.base, ['clone', '-q', s.origin, 'victim']);
  assert.equal(clone.code, 0, clone.stderr);
  assert.match(clone.stderr, /trove/, 'the post-checkout hook ran');
  assert.deepEqual(readdirSync(outside), [], 'nothing written through the committed symlink');
}));

test('a pointer named .trove.trove followed by checkout --force is refused and the store is intact', () => {
  const repo = createTmpRepo();
  try {
    repo.write('model.bin', 'the only copy of an older model');
    const oid = runJson(repo.dir, ['add', 'model.bin']).result.artifacts[0].oid;
    repo.git('commit', '-qm', 'model');
    repo.write('.trove.trove', filePointer(oid, 31));
    for (const args of [['checkout', '--force'], ['checkout', '--force', '.trove.trove'], ['status']]) {
      const r = runJson(repo.dir, args);
      assert.equal(r.error?.code, 'UNSAFE_PATH', `${args.join(' ')}: ${r.stderr}`);
    }
    assert.ok(existsSync(join(repo.dir, '.trove/config.yaml')), 'the config survives');
    assert.ok(lstatSync(join(repo.dir, '.trove')).isDirectory());
    assert.ok(existsSync(objectPath(repo.dir, oid)), 'the stored model survives');
  } finally {
    repo.cleanup();
  }
});

test('a manifest entry .GIT/hooks/post-checkout is refused (on a case-insensitive file system that is .git)', () => {
  const repo = createTmpRepo();
  try {
    const store = join(repo.dir, '.trove/cache');
    const content = plant(store, 'owned');
    for (const name of ['.GIT/hooks/post-checkout', '.Git/hooks/post-checkout', 'x/.git./config', 'GIT~1/config', '.Trove/config.yaml']) {
      const manifest = plant(store, `trove-manifest 1 leaf\n${JSON.stringify([name, 'f', 5, content])}\n`);
      writeFileSync(join(repo.dir, 'data.trove'), dirPointer(manifest, 1));
      const r = runJson(repo.dir, ['checkout']);
      assert.equal(r.error?.code, 'UNSAFE_PATH', `${name}: ${r.stderr}`);
      assert.equal(existsSync(join(repo.dir, 'data')), false, name);
    }
  } finally {
    repo.cleanup();
  }
});

test('a pointer under .Trove/ (or .GIT/) is refused by every command', () => {
  const repo = createTmpRepo();
  try {
    repo.write('m.bin', 'model');
    const oid = runJson(repo.dir, ['add', 'm.bin']).result.artifacts[0].oid;
    for (const p of ['.Trove/x', '.GIT/x', 'sub/.GIT/x', 'sub/.Git. /x', 'sub/.trove/x']) {
      repo.write(`${p}.trove`, filePointer(oid, 5));
      for (const args of [['checkout'], ['status'], ['checkout', '--force', p]]) {
        const r = runJson(repo.dir, args);
        // Named on the command line, a path inside .trove is the plainer usage error.
        const codes = args.length > 1 && p.startsWith('.Trove') ? ['USAGE'] : ['UNSAFE_PATH'];
        assert.ok(codes.includes(r.error?.code), `${p} ${args.join(' ')}: ${r.stderr}`);
      }
      assert.equal(existsSync(join(repo.dir, p)), false, p);
      rmSync(join(repo.dir, `${p}.trove`));
    }
  } finally {
    repo.cleanup();
  }
});

test('a pointer file that is itself a symlink is refused, not followed', () => {
  const repo = createTmpRepo();
  const outside = outsideDir();
  try {
    repo.write('m.bin', 'model');
    const oid = runJson(repo.dir, ['add', 'm.bin']).result.artifacts[0].oid;
    writeFileSync(join(outside, 'p.trove'), filePointer(oid, 5));
    symlinkSync(join(outside, 'p.trove'), join(repo.dir, 'data.trove'));
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.error?.code, 'UNSAFE_PATH', r.stderr);
    assert.match(r.error.message, /data\.trove/);
    assert.match(r.error.message, /symbolic link/);
    assert.equal(existsSync(join(repo.dir, 'data')), false);
  } finally {
    repo.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

test('a .trove directory that is a symlink (committed to point elsewhere) is refused, nothing written there', () => {
  const repo = createTmpRepo();
  const outside = outsideDir();
  try {
    renameSync(join(repo.dir, '.trove'), join(outside, '.trove'));
    symlinkSync(join(outside, '.trove'), join(repo.dir, '.trove'));
    const before = readdirSync(join(outside, '.trove/tmp')).sort();
    const r = runJson(repo.dir, ['status']);
    assert.equal(r.error?.code, 'UNSAFE_PATH', r.stderr);
    assert.deepEqual(readdirSync(join(outside, '.trove/tmp')).sort(), before, 'no lock, cache or config copy written outside');
  } finally {
    repo.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('trove mv does not move data or write a pointer through a symlinked destination directory', () => {
  const repo = createTmpRepo();
  const outside = outsideDir();
  try {
    repo.write('model.bin', 'weights');
    assert.equal(runCli(repo.dir, ['add', 'model.bin']).code, 0);
    symlinkSync(outside, join(repo.dir, 'elsewhere'));
    const r = runJson(repo.dir, ['mv', 'model.bin', 'elsewhere/model.bin']);
    assert.equal(r.error?.code, 'UNSAFE_PATH', r.stderr);
    assert.deepEqual(readdirSync(outside), [], 'no data, pointer or .gitignore moved outside');
    assert.equal(readFileSync(join(repo.dir, 'model.bin'), 'utf8'), 'weights');
    assert.ok(existsSync(join(repo.dir, 'model.bin.trove')));
  } finally {
    repo.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('a committed symlink at .trove/tmp/work, .trove/cache, its packs/, packs/retired/ or readers/ is refused: no work index, pack or reader lease is written outside', () => {
  for (const rel of ['.trove/tmp/work', '.trove/cache', '.trove/cache/packs', '.trove/cache/packs/retired', '.trove/cache/readers']) {
    const repo = createTmpRepo();
    const outside = outsideDir();
    try {
      for (let i = 0; i < 120; i++) repo.write(`data/f${i}.txt`, `file ${i}\n`);
      mkdirSync(dirname(join(repo.dir, rel)), { recursive: true });
      rmSync(join(repo.dir, rel), { recursive: true, force: true });
      symlinkSync(outside, join(repo.dir, rel));
      const r = runJson(repo.dir, ['add', 'data']);
      assert.notEqual(r.code, 0, rel);
      assert.equal(r.error?.code, 'UNSAFE_PATH', `${rel}: ${r.stderr}`);
      assert.match(r.error.message, new RegExp(rel.replace(/\./g, '\\.')));
      assert.ok(r.error.hint);
      assert.deepEqual(readdirSync(outside), [], `${rel}: nothing written outside`);
    } finally {
      repo.cleanup();
      rmSync(outside, { recursive: true, force: true });
    }
  }
});
