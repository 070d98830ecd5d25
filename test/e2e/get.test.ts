import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTmpRepo, objectPath, pseudoRandom, runCli, runJson } from '../helpers/tmpRepo.js';
import { assertFails, createUpstream, inTmp, seededUpstream } from '../helpers/upstream.js';

// One upstream for the tests that only read it (building one takes a dozen CLI runs); tests that commit to it build their own.
let shared: ReturnType<typeof seededUpstream>;
before(() => {
  shared = seededUpstream();
});
after(() => shared.up.cleanup());

test('get outside any repository writes a byte-identical copy and leaves nothing else behind', inTmp((cwd) => {
  const { up, v2, x2 } = shared;
  const r = runJson(cwd, ['get', up.repo.dir, 'data/x.bin', '-o', 'y.bin']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(join(cwd, 'y.bin')).equals(x2));
  assert.deepEqual(readdirSync(cwd), ['y.bin'], 'no store, cache or pointer in the cwd');
  assert.equal(r.result.source.commit, v2);
  assert.equal(r.result.source.ref, 'refs/heads/main');
  assert.equal(r.result.source.artifact, 'data/x.bin');
  assert.equal(r.result.kind, 'file');
  assert.equal(r.result.size, x2.length);
  assert.equal(r.result.out, join(cwd, 'y.bin'));
  assert.ok(r.result.objects >= 1);
  // The same through a file:// URL, default output name.
  const f = runJson(cwd, ['get', pathToFileURL(up.repo.dir).href, 'data/x.bin']);
  assert.equal(f.code, 0, f.stderr);
  assert.ok(readFileSync(join(cwd, 'x.bin')).equals(x2));
}));

test('get inside a trove repository keeps the objects in its store and writes a plain, untracked file', () => {
  const { up, x2 } = shared;
  const here = createTmpRepo();
  try {
    const r = runJson(here.dir, ['get', up.repo.dir, 'data/x.bin', '-o', 'y.bin']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(join(here.dir, 'y.bin')).equals(x2));
    assert.equal(existsSync(join(here.dir, 'y.bin.trove')), false, 'get does not track');
    assert.deepEqual(runJson(here.dir, ['status']).result.artifacts, []);
    assert.ok(existsSync(objectPath(here.dir, r.result.oid)), 'the content is in this repository\'s store');
    // Run again elsewhere in the same repository: nothing is downloaded twice.
    const again = runJson(here.dir, ['get', up.repo.dir, 'data/x.bin', '-o', 'z.bin']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.result.objects, 0);
    assert.ok(readFileSync(join(here.dir, 'z.bin')).equals(x2));
  } finally {
    here.cleanup();
  }
});

test('get fetches no Git blobs beyond the pointer and the config, even when the other repository holds large files in Git', () => {
  const { up } = seededUpstream();
  const here = createTmpRepo();
  try {
    up.repo.write('big-in-git.bin', pseudoRandom(2_000_000, 99));
    up.repo.git('add', 'big-in-git.bin');
    up.repo.git('commit', '-q', '-m', 'a large file committed to Git itself');
    const r = runJson(here.dir, ['get', up.repo.dir, 'data/x.bin']);
    assert.equal(r.code, 0, r.stderr);
    const caches = readdirSync(join(here.dir, '.trove/tmp/upstream'));
    assert.equal(caches.length, 1);
    const counts = execFileSync('git', ['count-objects', '-v'], { cwd: join(here.dir, '.trove/tmp/upstream', caches[0]!), encoding: 'utf8' });
    const kib = Number(/size-pack: (\d+)/.exec(counts)![1]) + Number(/^size: (\d+)/m.exec(counts)![1]);
    assert.ok(kib < 200, `the Git cache holds ${kib} KiB; the 2 MB blob must not be fetched`);
  } finally {
    here.cleanup();
    up.cleanup();
  }
});

test('get of a file inside a tracked directory downloads that file alone; a folder inside one comes as a directory', inTmp((cwd) => {
  const { up } = shared;
  const one = runJson(cwd, ['get', up.repo.dir, 'data/images/b.bin']);
  assert.equal(one.code, 0, one.stderr);
  assert.ok(readFileSync(join(cwd, 'b.bin')).equals(pseudoRandom(21_000, 2)));
  assert.equal(one.result.source.artifact, 'data/images');
  assert.equal(one.result.kind, 'file');
  assert.ok(one.result.objects <= 2, `fetched ${one.result.objects} objects (the manifest page and the file)`);
  const sub = runJson(cwd, ['get', up.repo.dir, 'data/images/sub/', '-o', 'folder']);
  assert.equal(sub.code, 0, sub.stderr);
  assert.deepEqual(readdirSync(join(cwd, 'folder')).sort(), ['c.bin', 'd.bin']);
  assert.ok(readFileSync(join(cwd, 'folder/d.bin')).equals(pseudoRandom(23_000, 4)));
  assert.equal(sub.result.kind, 'dir');
  assert.equal(sub.result.files, 2);
  const whole = runJson(cwd, ['get', up.repo.dir, 'data/images']);
  assert.equal(whole.code, 0, whole.stderr);
  assert.deepEqual(readdirSync(join(cwd, 'images')).sort(), ['a.bin', 'b.bin', 'sub']);
}));

test('get --rev takes a tag, a commit id, a short id or an expression, and the default is the default branch', inTmp((cwd) => {
  const { up, v1, x1, x2 } = shared;
  for (const [i, rev] of ['v1', v1, v1.slice(0, 9), 'main~1', 'HEAD~1'].entries()) {
    const r = runJson(cwd, ['get', up.repo.dir, 'data/x.bin', '--rev', rev, '-o', `old${i}.bin`]);
    assert.equal(r.code, 0, `${rev}: ${r.stderr}`);
    assert.ok(readFileSync(join(cwd, `old${i}.bin`)).equals(x1), `--rev ${rev} gives v1`);
    assert.equal(r.result.source.commit, v1);
    assert.equal(r.result.source.rev, rev);
  }
  assert.equal(runJson(cwd, ['get', up.repo.dir, 'data/x.bin', '--rev', 'main', '-o', 'new.bin']).code, 0);
  assert.ok(readFileSync(join(cwd, 'new.bin')).equals(x2));
}));

test('bad input to get: a missing path, a path missing inside a tracked directory, a bad URL, a missing revision', inTmp((cwd) => {
  const { up } = shared;
  const missing = assertFails(cwd, ['get', up.repo.dir, 'data/nope.bin'], 'NOT_TRACKED', 1);
  assert.match(missing.hint, /data\/x\.bin/, 'suggests what is tracked nearby');
  assert.ok(missing.data.nearby.includes('data/images'));
  const inside = assertFails(cwd, ['get', up.repo.dir, 'data/images/zzz.bin'], 'NOT_TRACKED', 1);
  assert.match(inside.hint, /data\/images\//);
  const noRepo = join(cwd, 'no-such-repo');
  assertFails(cwd, ['get', noRepo, 'data/x.bin'], 'GIT', 1);
  mkdirSync(join(cwd, 'plain-dir'));
  assertFails(cwd, ['get', join(cwd, 'plain-dir'), 'data/x.bin'], 'GIT', 1);
  for (const rev of ['no-such-branch', 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef', 'main~40']) {
    const e = assertFails(cwd, ['get', up.repo.dir, 'data/x.bin', '--rev', rev], 'NOT_FOUND', 1);
    assert.equal(e.data.rev, rev);
  }
  assert.deepEqual(readdirSync(cwd).sort(), ['plain-dir'], 'nothing written on failure');
}));

test('get refuses an existing output unless --force, before any download', inTmp((cwd) => {
  const { up, x2 } = shared;
  writeFileSync(join(cwd, 'x.bin'), 'mine');
  const e = assertFails(cwd, ['get', join(cwd, 'not-even-a-repo'), 'data/x.bin'], 'USAGE', 2);
  assert.match(e.message, /x\.bin already exists/);
  assert.equal(readFileSync(join(cwd, 'x.bin'), 'utf8'), 'mine');
  const r = runJson(cwd, ['get', up.repo.dir, 'data/x.bin', '--force']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(join(cwd, 'x.bin')).equals(x2));
  mkdirSync(join(cwd, 'images'));
  assertFails(cwd, ['get', up.repo.dir, 'data/images'], 'USAGE', 2);
}));

test('an upstream without a remote is reported with a hint, and -r names one by URL', inTmp((cwd) => {
  const up = createUpstream({ remote: false });
  const remote = mkdtempSync(join(tmpdir(), 'trove-up-other-'));
  try {
    up.commit({ 'data/x.bin': pseudoRandom(5000, 7) }, 'v1');
    const e = assertFails(cwd, ['get', up.repo.dir, 'data/x.bin'], 'USAGE', 2);
    assert.match(e.hint, /-r/);
    // The owners push to a remote they never committed; we name it ourselves.
    assert.equal(runCli(up.repo.dir, ['remote', 'add', '--local', 'private', remote]).code, 0);
    assert.equal(runCli(up.repo.dir, ['push', '-r', 'private']).code, 0);
    const r = runJson(cwd, ['get', up.repo.dir, 'data/x.bin', '-r', remote]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(join(cwd, 'x.bin')).equals(pseudoRandom(5000, 7)));
    assert.equal(r.result.remote.url, remote);
    assertFails(cwd, ['get', up.repo.dir, 'data/x.bin', '-r', 'nosuchname', '-o', 'z.bin'], 'NOT_FOUND', 1);
  } finally {
    up.cleanup();
    rmSync(remote, { recursive: true, force: true });
  }
}));

test('content that was committed but never pushed is reported as missing on the remote', inTmp((cwd) => {
  const { up } = seededUpstream();
  try {
    up.commit({ 'data/late.bin': pseudoRandom(4000, 8) }, 'not pushed', { push: false });
    const e = assertFails(cwd, ['get', up.repo.dir, 'data/late.bin'], 'OBJECT_MISSING', 1);
    assert.match(e.hint, /trove push/);
    assert.equal(existsSync(join(cwd, 'late.bin')), false);
  } finally {
    up.cleanup();
  }
}));

