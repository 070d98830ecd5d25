import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, objectPath, pseudoRandom, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';

const oidOf = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function withRepo(fn: (repo: TmpRepo) => void) {
  return () => {
    const repo = createTmpRepo();
    try {
      fn(repo);
    } finally {
      repo.cleanup();
    }
  };
}

/** add + commit; returns the commit id. */
function commit(repo: TmpRepo, message: string, ...paths: string[]): string {
  const r = runJson(repo.dir, ['add', ...paths]);
  assert.equal(r.code, 0, r.stderr);
  repo.git('commit', '-qm', message);
  return repo.git('rev-parse', 'HEAD').trim();
}

test('log of a file lists the commits that changed it, newest first, with the digest, size and message of each version', withRepo((repo) => {
  const versions = [pseudoRandom(1000, 1), pseudoRandom(2_000_000, 2), pseudoRandom(3000, 3)];
  const commits: string[] = [];
  for (const [i, v] of versions.entries()) {
    repo.write('models/model.bin', v);
    commits.push(commit(repo, `model v${i + 1}`, 'models/model.bin'));
    // A commit that does not touch the model is not listed.
    repo.write(`notes${i}.txt`, 'unrelated');
    repo.git('add', `notes${i}.txt`);
    repo.git('commit', '-qm', `notes ${i}`);
  }
  const r = runJson(repo.dir, ['log', 'models/model.bin']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.result.path, 'models/model.bin');
  assert.equal(r.result.artifact, 'models/model.bin');
  assert.equal(r.result.rev, 'HEAD');
  assert.equal(r.result.unknown, 0);
  const log = r.result.commits;
  assert.deepEqual(log.map((c: any) => c.message), ['model v3', 'model v2', 'model v1']);
  assert.deepEqual(log.map((c: any) => c.commit), [...commits].reverse());
  assert.deepEqual(log.map((c: any) => c.change), ['modified', 'modified', 'added']);
  assert.deepEqual(log.map((c: any) => c.oid), [...versions].reverse().map(oidOf));
  assert.deepEqual(log.map((c: any) => c.size), [3000, 2_000_000, 1000]);
  for (const c of log) {
    assert.deepEqual(Object.keys(c).sort(), ['author', 'change', 'commit', 'date', 'email', 'kind', 'message', 'oid', 'path', 'size']);
    assert.equal(c.kind, 'file');
    assert.equal(c.path, 'models/model.bin');
    assert.equal(c.author, 'trove test');
    assert.equal(c.email, 'test@example.com');
    assert.match(c.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/);
  }

  const two = runJson(repo.dir, ['log', '-n', '2', 'models/model.bin']).result.commits;
  assert.deepEqual(two.map((c: any) => c.message), ['model v3', 'model v2']);
  const older = runJson(repo.dir, ['log', '--rev', commits[1]!, 'models/model.bin']).result;
  assert.deepEqual(older.commits.map((c: any) => c.message), ['model v2', 'model v1']);
  assert.equal(older.rev, commits[1]);
  // The pointer path names the same artifact.
  assert.equal(runJson(repo.dir, ['log', 'models/model.bin.trove']).result.commits.length, 3);

  const text = runCli(join(repo.dir, 'models'), ['log', 'model.bin']);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.ok(lines[0]!.startsWith(commits[2]!.slice(0, 12)));
  assert.match(lines[0]!, /modified .*2\.9 KiB .* model v3 \(trove test\)/);
  assert.ok(lines[0]!.includes(oidOf(versions[2]!).slice(7, 19)));
  assert.match(lines[2]!, /added .* model v1/);
}));

test('log of a directory gives its file count and size per version, follows trove mv, and lists the commit that removed it', withRepo((repo) => {
  repo.write('data/a.csv', 'aaaa');
  repo.write('data/b.csv', 'bb');
  commit(repo, 'two files', 'data');
  repo.write('data/c.csv', 'c');
  commit(repo, 'three files', 'data');
  rmSync(join(repo.dir, 'data/a.csv'));
  commit(repo, 'two again', 'data');
  assert.equal(runCli(repo.dir, ['mv', 'data', 'datasets']).code, 0);
  repo.git('commit', '-qm', 'rename');
  const r = runJson(repo.dir, ['log', 'datasets']);
  assert.equal(r.code, 0, r.stderr);
  const log = r.result.commits;
  assert.deepEqual(log.map((c: any) => [c.message, c.change, c.path, c.kind, c.files, c.size]), [
    ['rename', 'renamed', 'datasets', 'dir', 2, 3],
    ['two again', 'modified', 'data', 'dir', 2, 3],
    ['three files', 'modified', 'data', 'dir', 3, 7],
    ['two files', 'added', 'data', 'dir', 2, 6],
  ]);
  assert.equal(log[0].from, 'data');
  assert.equal(log[1].from, undefined);

  assert.equal(runCli(repo.dir, ['rm', 'datasets']).code, 0);
  repo.git('commit', '-qm', 'stop tracking');
  const gone = runJson(repo.dir, ['log', 'datasets']);
  assert.equal(gone.code, 0, gone.stderr);
  assert.deepEqual(gone.result.commits.map((c: any) => c.change), ['deleted', 'renamed', 'modified', 'modified', 'added']);
  assert.equal(gone.result.commits[0].oid, undefined, 'a deleted artifact has no version after the commit');
}));

test('log of a file inside a tracked directory lists only the commits where that file changed, and says so when a manifest is not in the store', withRepo((repo) => {
  repo.write('data/images/cat1.jpg', 'cat one');
  repo.write('data/images/cat2.jpg', 'cat two');
  const c1 = commit(repo, 'both cats', 'data/images');
  repo.write('data/images/cat2.jpg', 'cat two, retouched');
  const v2 = runJson(repo.dir, ['add', 'data/images']).result.artifacts[0].oid;
  repo.git('commit', '-qm', 'only cat2');
  repo.write('data/images/cat1.jpg', 'cat one, cropped');
  commit(repo, 'cat1 cropped', 'data/images');
  rmSync(join(repo.dir, 'data/images/cat1.jpg'));
  commit(repo, 'cat1 removed', 'data/images');
  repo.write('data/images/cat1.jpg', 'cat one is back');
  commit(repo, 'cat1 back', 'data/images');

  const r = runJson(repo.dir, ['log', 'data/images/cat1.jpg']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.result.artifact, 'data/images');
  assert.equal(r.result.path, 'data/images/cat1.jpg');
  assert.deepEqual(r.result.commits.map((c: any) => [c.message, c.change, c.oid, c.size]), [
    ['cat1 back', 'added', oidOf('cat one is back'), 15],
    ['cat1 removed', 'deleted', undefined, undefined],
    ['cat1 cropped', 'modified', oidOf('cat one, cropped'), 16],
    ['both cats', 'added', oidOf('cat one'), 7],
  ]);
  assert.equal(r.result.commits[3].commit, c1);
  assert.ok(r.result.commits.every((c: any) => c.path === 'data/images/cat1.jpg' && (c.change === 'deleted' || c.kind === 'file')));
  // A folder inside the tracked directory works the same way.
  assert.deepEqual(runJson(repo.dir, ['log', '-n', '1', 'data/images']).result.commits.map((c: any) => c.files), [2]);

  // Without the manifest of the "only cat2" version, the two commits next to it cannot be told apart: they are listed as unknown.
  rmSync(objectPath(repo.dir, v2), { force: true });
  const partial = runJson(repo.dir, ['log', 'data/images/cat1.jpg']);
  assert.equal(partial.code, 0, partial.stderr);
  assert.deepEqual(partial.result.commits.map((c: any) => [c.message, c.change]), [
    ['cat1 back', 'added'],
    ['cat1 removed', 'deleted'],
    ['cat1 cropped', 'unknown'],
    ['only cat2', 'unknown'],
    ['both cats', 'added'],
  ]);
  assert.equal(partial.result.unknown, 2);
  const text = runCli(repo.dir, ['log', 'data/images/cat1.jpg']);
  assert.match(text.stdout, /unknown .*manifest not in the local store/);
  assert.match(text.stderr, /2 commits changed data\/images, but whether data\/images\/cat1\.jpg changed there is unknown/);
}));

test('log of a path trove does not track is an error with a hint, and so is a file never in the tracked directory', withRepo((repo) => {
  repo.write('data/a.csv', 'a');
  commit(repo, 'v1', 'data');
  repo.write('README.md', 'hello');
  const r = runJson(repo.dir, ['log', 'README.md']);
  assert.equal(r.code, 1);
  assert.equal(r.error.code, 'NOT_TRACKED');
  assert.match(r.error.hint, /trove ls/);
  const text = runCli(repo.dir, ['log', 'README.md']);
  assert.equal(text.code, 1);
  assert.equal(text.stdout, '');
  assert.deepEqual(text.stderr.trim().split('\n').map((l) => l.split(':')[0]), ['error', 'hint']);
  assert.match(text.stderr, /error: README\.md is not tracked by trove/);
  const inside = runJson(repo.dir, ['log', 'data/never.csv']);
  assert.equal(inside.code, 1);
  assert.equal(inside.error.code, 'NOT_TRACKED');
  assert.match(inside.error.message, /data\/never\.csv was never in the tracked directory data/);
  assert.equal(runJson(repo.dir, ['log', '--rev', 'no-such-branch', 'data']).error.code, 'NOT_FOUND');
  assert.equal(runCli(repo.dir, ['log', '-n', '0', 'data']).code, 2);
  assert.equal(runJson(repo.dir, ['log', '--all', '--rev', 'HEAD', 'data']).error.code, 'USAGE');
}));

test('log --all includes commits of other branches', withRepo((repo) => {
  repo.write('m.bin', 'v1');
  commit(repo, 'v1', 'm.bin');
  repo.git('checkout', '-qb', 'experiment');
  repo.write('m.bin', 'experimental');
  commit(repo, 'try something', 'm.bin');
  repo.git('checkout', '-q', 'main');
  assert.equal(runCli(repo.dir, ['checkout']).code, 0);
  assert.deepEqual(runJson(repo.dir, ['log', 'm.bin']).result.commits.map((c: any) => c.message), ['v1']);
  const all = runJson(repo.dir, ['log', '--all', 'm.bin']).result;
  assert.deepEqual(all.commits.map((c: any) => c.message), ['try something', 'v1']);
  assert.equal(all.rev, null);
}));

test('show REV gives the data state of that commit: every artifact with its version and whether its content is here', withRepo((repo) => {
  repo.write('data/a.csv', 'one');
  repo.write('models/model.bin', 'model v1');
  const first = commit(repo, 'v1', 'data', 'models/model.bin');
  repo.write('data/b.csv', 'two');
  repo.write('models/model.bin', 'model v2');
  const second = commit(repo, 'v2', 'data', 'models/model.bin');

  const old = runJson(repo.dir, ['show', 'HEAD~1']);
  assert.equal(old.code, 0, old.stderr);
  assert.equal(old.result.commit, first);
  assert.equal(old.result.rev, 'HEAD~1');
  assert.equal(old.result.message, 'v1');
  assert.equal(old.result.author, 'trove test');
  assert.deepEqual(old.result.artifacts.map((a: any) => [a.path, a.kind, a.size, a.files, a.inStore]), [
    ['data', 'dir', 3, 1, true],
    ['models/model.bin', 'file', 8, undefined, true],
  ]);
  assert.equal(old.result.artifacts[1].oid, oidOf('model v1'));
  const now = runJson(repo.dir, ['show', 'HEAD']).result;
  assert.equal(now.commit, second);
  assert.deepEqual(now.artifacts.map((a: any) => [a.path, a.size, a.files]), [['data', 6, 2], ['models/model.bin', 8, undefined]]);
  assert.equal(now.artifacts[1].oid, oidOf('model v2'));

  // Content gone from the store is reported, per artifact and per file.
  rmSync(objectPath(repo.dir, oidOf('model v1')), { force: true });
  rmSync(objectPath(repo.dir, oidOf('two')), { force: true });
  rmSync(join(repo.dir, '.trove/cache/complete'), { recursive: true, force: true }); // as gc and fsck do when they remove objects
  assert.deepEqual(runJson(repo.dir, ['show', 'HEAD~1']).result.artifacts.map((a: any) => a.inStore), [true, false]);
  assert.deepEqual(runJson(repo.dir, ['show', 'HEAD', 'models']).result.artifacts.map((a: any) => a.path), ['models/model.bin']);
  const files = runJson(repo.dir, ['show', '--files', 'HEAD', 'data']);
  assert.equal(files.code, 0, files.stderr);
  assert.deepEqual(files.result.files.map((f: any) => [f.path, f.inStore]), [['data/a.csv', true], ['data/b.csv', false]]);
  assert.equal(files.result.artifacts[0].inStore, false);
  const text = runCli(repo.dir, ['show', 'HEAD~1']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, new RegExp(`^commit ${first} \\(HEAD~1\\)`));
  assert.match(text.stdout, /missing\s+models\/model\.bin/);
  assert.equal(runJson(repo.dir, ['show', '--files', 'HEAD']).error.code, 'USAGE');
}));

test('show of a revision that does not exist is one sentence and a hint, exit 1', withRepo((repo) => {
  repo.write('m.bin', 'x');
  commit(repo, 'v1', 'm.bin');
  const r = runCli(repo.dir, ['show', 'HEAD~7']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trim().split('\n'), ['error: Git revision "HEAD~7" does not exist.', 'hint: List revisions with git log --oneline or git branch -a.']);
  const j = runJson(repo.dir, ['show', 'nope']);
  assert.equal(j.code, 1);
  assert.equal(j.error.code, 'NOT_FOUND');
  assert.equal(j.error.data.rev, 'nope');
}));

test('log lists a change brought in by a merge once, and a merge that recorded a version of its own', withRepo((repo) => {
  repo.write('m.bin', 'v1');
  commit(repo, 'v1', 'm.bin');
  repo.git('checkout', '-qb', 'feature');
  repo.write('m.bin', 'feature version');
  commit(repo, 'feature', 'm.bin');
  repo.git('checkout', '-q', 'main');
  repo.write('other.txt', 'x');
  repo.git('add', 'other.txt');
  repo.git('commit', '-qm', 'unrelated on main');
  repo.git('merge', '-q', '--no-edit', 'feature');
  assert.deepEqual(runJson(repo.dir, ['log', 'm.bin']).result.commits.map((c: any) => c.message), ['feature', 'v1']);

  // Both sides change the model; the merge records a third version.
  repo.git('checkout', '-qb', 'other');
  repo.write('m.bin', 'other version');
  commit(repo, 'other', 'm.bin');
  repo.git('checkout', '-q', 'main');
  repo.write('m.bin', 'main version');
  commit(repo, 'main', 'm.bin');
  assert.throws(() => repo.git('merge', '-q', '--no-edit', 'other'), 'the pointers conflict');
  repo.git('checkout', '--ours', 'm.bin.trove');
  repo.write('m.bin', 'merged version');
  assert.equal(runCli(repo.dir, ['add', 'm.bin']).code, 0);
  repo.git('commit', '-qm', 'merge other, retrained');
  const log = runJson(repo.dir, ['log', 'm.bin']).result.commits;
  assert.deepEqual(log.map((c: any) => c.message).slice(0, 3).sort(), ['main', 'merge other, retrained', 'other'].sort());
  assert.equal(log[0].message, 'merge other, retrained');
  assert.equal(log[0].oid, oidOf('merged version'));
  assert.equal(log[0].change, 'modified');
  assert.equal(log.length, 5);
}));
