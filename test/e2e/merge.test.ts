import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIN, createTmpRepo, objectPath, pseudoRandom, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';
import { createTeam, type Clone } from '../helpers/collab.js';

/** What `trove install` configures, but calling the CLI under test. */
function configureDriver(git: (...args: string[]) => string, write: (p: string, d: string) => void): void {
  git('config', 'merge.trove.name', 'trove pointer merge');
  git('config', 'merge.trove.driver', `"${process.execPath}" "${BIN}" merge-driver %O %A %B %P`);
  write('.gitattributes', '*.trove merge=trove\n');
}

function gitMerge(dir: string, ...args: string[]): { code: number; output: string } {
  const r = spawnSync('git', ['merge', '--no-edit', ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status ?? -1, output: r.stdout + r.stderr };
}

/** Write (or with null, delete) files, trove add the directory and commit. */
function commitData(repo: { dir: string; git(...a: string[]): string }, dir: string, files: Record<string, Buffer | string | null>, message: string): void {
  for (const [p, data] of Object.entries(files)) {
    const abs = join(repo.dir, dir, p);
    if (data === null) rmSync(abs);
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, data);
    }
  }
  const r = runCli(repo.dir, ['add', dir]);
  assert.equal(r.code, 0, r.stderr);
  repo.git('commit', '-qam', message);
}

/** Check out the pointers of the work tree and assert the files are exactly `want`. */
function assertData(repo: TmpRepo | Clone, dir: string, want: Record<string, Buffer | string>): void {
  const ls = runJson(repo.dir, ['ls', dir]);
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(ls.result.files.map((f: { path: string }) => f.path), Object.keys(want).map((p) => `${dir}/${p}`).sort());
  for (const [p, data] of Object.entries(want)) assert.ok(readFileSync(join(repo.dir, dir, p)).equals(Buffer.from(data)), `${dir}/${p} is byte-identical`);
}

const pointerOf = (dir: string, path: string) => readFileSync(join(dir, `${path}.trove`), 'utf8');
const oidOf = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** main has data/a.bin; branch `feature` is created from there. */
function twoBranches(): TmpRepo {
  const repo = createTmpRepo();
  configureDriver(repo.git, repo.write);
  repo.git('add', '.gitattributes');
  commitData(repo, 'data', { 'a.bin': pseudoRandom(5000, 1) }, 'v1');
  repo.git('branch', 'feature');
  return repo;
}

function onBranch(repo: TmpRepo, branch: string): void {
  repo.git('checkout', '-q', branch);
  const r = runCli(repo.dir, ['checkout']);
  assert.equal(r.code, 0, r.stderr);
}

test('two branches that added different files to one dataset directory merge cleanly, and checkout gives the union', () => {
  const repo = twoBranches();
  try {
    const cat = pseudoRandom(7000, 2);
    const dog = pseudoRandom(9000, 3);
    onBranch(repo, 'feature');
    commitData(repo, 'data', { 'cat/1.jpg': cat }, 'cat');
    onBranch(repo, 'main');
    commitData(repo, 'data', { 'dog/1.jpg': dog }, 'dog');
    const m = gitMerge(repo.dir, 'feature');
    assert.equal(m.code, 0, m.output);
    assert.doesNotMatch(m.output, /CONFLICT/);
    assert.equal(repo.git('status', '--porcelain').trim(), '', 'the merge was committed');
    assert.equal(repo.git('log', '-1', '--format=%p').trim().split(' ').length, 2, 'a merge commit with two parents');
    const pointer = pointerOf(repo.dir, 'data');
    assert.match(pointer, /^files: 3$/m, pointer);
    assert.match(pointer, new RegExp(`^size: ${5000 + 7000 + 9000}$`, 'm'), 'size recomputed from the merged entries');
    assert.equal(runCli(repo.dir, ['checkout']).code, 0);
    assertData(repo, 'data', { 'a.bin': pseudoRandom(5000, 1), 'cat/1.jpg': cat, 'dog/1.jpg': dog });
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
  } finally {
    repo.cleanup();
  }
});

test('a change to a.bin on one branch and a new b.bin on the other merge cleanly', () => {
  const repo = twoBranches();
  try {
    onBranch(repo, 'feature');
    commitData(repo, 'data', { 'a.bin': 'a changed on feature' }, 'change a');
    onBranch(repo, 'main');
    commitData(repo, 'data', { 'b.bin': 'b added on main' }, 'add b');
    const m = gitMerge(repo.dir, 'feature');
    assert.equal(m.code, 0, m.output);
    assert.equal(runCli(repo.dir, ['checkout']).code, 0);
    assertData(repo, 'data', { 'a.bin': 'a changed on feature', 'b.bin': 'b added on main' });
  } finally {
    repo.cleanup();
  }
});

test('the same file changed on both branches: Git reports a conflict naming it, both versions are kept, --ours/--theirs give the right bytes, and the merge completes', () => {
  const repo = twoBranches();
  try {
    onBranch(repo, 'feature');
    commitData(repo, 'data', { 'a.bin': 'theirs', 'c.bin': 'only on feature' }, 'feature edits');
    onBranch(repo, 'main');
    commitData(repo, 'data', { 'a.bin': 'ours' }, 'main edits');
    const m = gitMerge(repo.dir, 'feature');
    assert.notEqual(m.code, 0, m.output);
    assert.match(m.output, /CONFLICT \(trove\): data: a\.bin changed on both sides/);
    assert.match(m.output, /trove checkout --ours/);
    const unmerged = repo.git('ls-files', '-u', '--', 'data.trove');
    assert.match(unmerged, / 2\tdata\.trove/);
    assert.match(unmerged, / 3\tdata\.trove/);
    // Nothing lost: both contents are in the store.
    assert.ok(existsSync(objectPath(repo.dir, oidOf('ours'))));
    assert.ok(existsSync(objectPath(repo.dir, oidOf('theirs'))));
    const gc = runCli(repo.dir, ['gc']);
    assert.equal(gc.code, 0, gc.stderr);
    assert.ok(existsSync(objectPath(repo.dir, oidOf('ours'))) && existsSync(objectPath(repo.dir, oidOf('theirs'))), 'gc during a conflict keeps both sides');
    // The pointer left in the work tree is valid: everything merged, ours for the conflicting file.
    assert.match(pointerOf(repo.dir, 'data'), /^files: 2$/m);
    assert.equal(runCli(repo.dir, ['checkout']).code, 0);
    assertData(repo, 'data', { 'a.bin': 'ours', 'c.bin': 'only on feature' });

    const theirs = runJson(repo.dir, ['checkout', '--theirs', 'data']);
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.deepEqual(theirs.result.resolved, [{ path: 'data', pointer: 'data.trove', files: [] }]);
    assertData(repo, 'data', { 'a.bin': 'theirs', 'c.bin': 'only on feature' });
    const ours = runCli(repo.dir, ['checkout', '--ours', 'data']);
    assert.equal(ours.code, 0, ours.stderr);
    assert.match(ours.stderr, /git add data\.trove/);
    assertData(repo, 'data', { 'a.bin': 'ours' });

    // One file from theirs into our version, the rest stays ours.
    const one = runJson(repo.dir, ['checkout', '--theirs', 'data/a.bin']);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(one.result.resolved, [{ path: 'data', pointer: 'data.trove', files: ['data/a.bin'] }]);
    assertData(repo, 'data', { 'a.bin': 'theirs' });
    repo.git('add', 'data.trove');
    repo.git('commit', '-q', '--no-edit');
    assert.equal(repo.git('ls-files', '-u').trim(), '');
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
    assert.equal(repo.git('status', '--porcelain').trim(), '');
    const committed = repo.git('show', 'HEAD:data.trove');
    assert.match(committed, /^files: 1$/m);
  } finally {
    repo.cleanup();
  }
});

test('several conflicting files are all named, and --theirs on a folder inside the directory takes only that folder', () => {
  const repo = twoBranches();
  try {
    onBranch(repo, 'feature');
    commitData(repo, 'data', { 'x/1.bin': 'x1 theirs', 'x/2.bin': 'x2 theirs', 'y.bin': 'y theirs' }, 'feature');
    onBranch(repo, 'main');
    commitData(repo, 'data', { 'x/1.bin': 'x1 ours', 'x/2.bin': 'x2 ours', 'y.bin': 'y ours' }, 'main');
    const m = gitMerge(repo.dir, 'feature');
    assert.notEqual(m.code, 0);
    for (const f of ['x/1.bin', 'x/2.bin', 'y.bin']) assert.ok(m.output.includes(`CONFLICT (trove): data: ${f} added on both sides`), m.output);
    const r = runJson(repo.dir, ['checkout', '--theirs', 'data/x']);
    assert.equal(r.code, 0, r.stderr);
    assertData(repo, 'data', { 'a.bin': pseudoRandom(5000, 1), 'x/1.bin': 'x1 theirs', 'x/2.bin': 'x2 theirs', 'y.bin': 'y ours' });
    // Merging again recreates the driver's result: the conflicts are back, exit 1.
    const again = runCli(repo.dir, ['checkout', '--merge', 'data']);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /CONFLICT \(trove\): data: y\.bin added on both sides/);
    assertData(repo, 'data', { 'a.bin': pseudoRandom(5000, 1), 'x/1.bin': 'x1 ours', 'x/2.bin': 'x2 ours', 'y.bin': 'y ours' });
  } finally {
    repo.cleanup();
  }
});

test('a single-file artifact changed on both sides conflicts; --ours and --theirs restore each model', () => {
  const repo = createTmpRepo();
  try {
    configureDriver(repo.git, repo.write);
    repo.write('models/model.bin', 'model v1');
    assert.equal(runCli(repo.dir, ['add', 'models/model.bin']).code, 0);
    repo.git('add', '.gitattributes');
    repo.git('commit', '-qm', 'v1');
    repo.git('checkout', '-qb', 'feature');
    repo.write('models/model.bin', 'model from feature');
    runCli(repo.dir, ['add', 'models/model.bin']);
    repo.git('commit', '-qm', 'feature model');
    repo.git('checkout', '-q', 'main');
    repo.write('models/model.bin', 'model from main');
    runCli(repo.dir, ['add', 'models/model.bin']);
    repo.git('commit', '-qm', 'main model');
    const m = gitMerge(repo.dir, 'feature');
    assert.notEqual(m.code, 0);
    assert.match(m.output, /CONFLICT \(trove\): models\/model\.bin changed on both sides/);
    assert.equal(runCli(repo.dir, ['checkout', '--theirs', 'models/model.bin']).code, 0);
    assert.equal(readFileSync(join(repo.dir, 'models/model.bin'), 'utf8'), 'model from feature');
    assert.equal(runCli(repo.dir, ['checkout', '--ours', 'models/model.bin.trove']).code, 0, 'the pointer path names the artifact too');
    assert.equal(readFileSync(join(repo.dir, 'models/model.bin'), 'utf8'), 'model from main');
    const inside = runJson(repo.dir, ['checkout', '--theirs', 'models/model.bin/x']);
    assert.equal(inside.error?.code, 'USAGE', 'a file has no files inside it');
  } finally {
    repo.cleanup();
  }
});

test('a malformed pointer on one side is a conflict, not a crash, and ours stays in place', () => {
  const repo = twoBranches();
  try {
    const oursBefore = pointerOf(repo.dir, 'data');
    repo.git('checkout', '-q', 'feature');
    repo.write('data.trove', 'trove: 1\nkind: dir\noid: ../../../etc/passwd\nsize: 1\nfiles: 1\n');
    repo.git('commit', '-qam', 'hostile pointer');
    repo.git('checkout', '-q', 'main');
    commitData(repo, 'data', { 'b.bin': 'b' }, 'main adds b');
    const oursPointer = pointerOf(repo.dir, 'data');
    assert.notEqual(oursPointer, oursBefore);
    const m = gitMerge(repo.dir, 'feature');
    assert.notEqual(m.code, 0);
    assert.match(m.output, /CONFLICT \(trove\): data: cannot merge: Pointer file data\.trove \(theirs\) is invalid/);
    assert.doesNotMatch(m.output, /failed unexpectedly|trove-crash/);
    assert.equal(pointerOf(repo.dir, 'data'), oursPointer, 'our pointer is left byte for byte');
    const theirs = runJson(repo.dir, ['checkout', '--theirs', 'data']);
    assert.equal(theirs.error?.code, 'BAD_POINTER');
    assert.equal(pointerOf(repo.dir, 'data'), oursPointer, 'a failed --theirs changes nothing');
    assert.equal(runCli(repo.dir, ['checkout', '--ours', 'data']).code, 0);
    assertData(repo, 'data', { 'a.bin': pseudoRandom(5000, 1), 'b.bin': 'b' });
  } finally {
    repo.cleanup();
  }
});

test('a directory version whose manifest is hostile is a conflict, not a crash', () => {
  const repo = twoBranches();
  try {
    const page = `trove-manifest 1 leaf\n["../../escape","f",1,"sha256:${'1'.repeat(64)}"]\n`;
    const hex = createHash('sha256').update(page).digest('hex');
    const p = objectPath(repo.dir, hex);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, page);
    repo.git('checkout', '-q', 'feature');
    repo.write('data.trove', `trove: 1\nkind: dir\noid: sha256:${hex}\nsize: 1\nfiles: 1\n`);
    repo.git('commit', '-qam', 'hostile manifest');
    repo.git('checkout', '-q', 'main');
    commitData(repo, 'data', { 'b.bin': 'b' }, 'main adds b');
    const m = gitMerge(repo.dir, 'feature');
    assert.notEqual(m.code, 0);
    assert.match(m.output, /CONFLICT \(trove\): data: cannot merge: Unsafe path/);
    assert.equal(existsSync(join(repo.dir, '..', 'escape')), false);
    assert.doesNotMatch(m.output, /failed unexpectedly/);
  } finally {
    repo.cleanup();
  }
});

test('checkout --ours without a merge in progress fails with a usage error and a hint', () => {
  const repo = twoBranches();
  try {
    const r = runCli(repo.dir, ['checkout', '--ours', 'data']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No merge conflict in tracked data is in progress/);
    assert.match(r.stderr, /hint: .*trove checkout --rev BRANCH data/);
    const j = runJson(repo.dir, ['checkout', '--theirs', 'data/a.bin']);
    assert.equal(j.error.code, 'USAGE');
    assert.equal(runCli(repo.dir, ['checkout', '--ours', '--theirs', 'data']).code, 2, 'the sides exclude each other');
    assert.equal(runCli(repo.dir, ['checkout', '--ours', '--rev', 'HEAD', 'data']).code, 2);
    assert.equal(runCli(repo.dir, ['checkout', '--ours']).code, 2, 'paths are required');
  } finally {
    repo.cleanup();
  }
});

test('merge-driver called directly: stdout stays empty, exit 0 with the merge in OURS; without a base, equal files merge', () => {
  const repo = createTmpRepo();
  const tmp = mkdtempSync(join(tmpdir(), 'trove-driver-'));
  try {
    const version = (files: Record<string, string>): string => {
      rmSync(join(repo.dir, 'data'), { recursive: true, force: true });
      for (const [p, d] of Object.entries(files)) repo.write(`data/${p}`, d);
      assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
      return pointerOf(repo.dir, 'data');
    };
    const base = version({ 'a.bin': 'a' });
    const ours = version({ 'a.bin': 'a', 'b.bin': 'bb' });
    const theirs = version({ 'a.bin': 'a', 'c.bin': 'ccc' });
    const expected = version({ 'a.bin': 'a', 'b.bin': 'bb', 'c.bin': 'ccc' });
    for (const withBase of [true, false]) {
      writeFileSync(join(tmp, 'O'), withBase ? base : '');
      writeFileSync(join(tmp, 'A'), ours);
      writeFileSync(join(tmp, 'B'), theirs);
      const r = runCli(repo.dir, ['merge-driver', join(tmp, 'O'), join(tmp, 'A'), join(tmp, 'B'), 'data.trove']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(readFileSync(join(tmp, 'A'), 'utf8'), expected, 'the same version trove add builds for the union');
    }
    // A conflict: exit 1, JSON names the file.
    writeFileSync(join(tmp, 'O'), base);
    writeFileSync(join(tmp, 'A'), version({ 'a.bin': 'a1' }));
    writeFileSync(join(tmp, 'B'), version({ 'a.bin': 'a2' }));
    const j = runCli(repo.dir, ['--json', 'merge-driver', join(tmp, 'O'), join(tmp, 'A'), join(tmp, 'B'), 'data.trove']);
    assert.equal(j.code, 1);
    const envelope = JSON.parse(j.stdout);
    assert.equal(envelope.ok, true, 'a conflict is a result, not an error');
    assert.equal(envelope.result.clean, false);
    assert.deepEqual(envelope.result.conflicts, [{ path: 'data/a.bin', reason: 'both-modified', message: 'data: a.bin changed on both sides' }]);
    // Missing input files are an error exit (a conflict for Git), not a crash.
    const missing = runCli(repo.dir, ['merge-driver', join(tmp, 'O'), join(tmp, 'nope'), join(tmp, 'B'), 'data.trove']);
    assert.notEqual(missing.code, 0);
    assert.notEqual(missing.code, 70);
  } finally {
    repo.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a branch whose directory version was never fetched: the driver fetches its manifest pages from the remote and merges cleanly', async () => {
  const team = createTeam();
  try {
    const remote = join(team.base, 'remote');
    const a = team.clone('a');
    assert.equal(runCli(a.dir, ['init']).code, 0);
    configureDriver(a.git, a.write);
    a.write('data/a.bin', 'a');
    assert.equal(a.trove('add', 'data').code, 0);
    assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
    a.git('add', '-A');
    a.git('commit', '-qm', 'v1');
    a.git('push', '-q', 'origin', 'main');
    assert.equal(a.trove('push').code, 0);

    const b = team.clone('b');
    configureDriver(b.git, b.write);
    assert.equal(b.trove('pull').code, 0);
    b.git('checkout', '-qb', 'feature');
    commitData(b, 'data', { 'b.bin': 'from b' }, 'b adds');
    b.git('push', '-q', 'origin', 'feature');

    commitData(a, 'data', { 'c.bin': 'from a' }, 'a adds');
    a.git('fetch', '-q', 'origin');
    // B has not run trove push: the remote lacks B's version, so this is a conflict with a hint.
    const first = gitMerge(a.dir, 'origin/feature');
    assert.notEqual(first.code, 0, first.output);
    assert.match(first.output, /not in the local store \(theirs\), and the remote store does not have them either/);
    assert.match(first.output, /trove fetch --rev HEAD --rev MERGE_HEAD/);
    assert.match(first.output, /trove checkout --merge data/);

    // B pushes; A redoes the merge of that path, fetching only the manifest pages, then pulls the content.
    assert.equal(b.trove('push').code, 0);
    const again = runJson(a.dir, ['checkout', '--merge', 'data']);
    assert.equal(again.error?.code, 'OBJECT_MISSING', 'merged, but the new file\'s content is not here yet');
    assert.match(pointerOf(a.dir, 'data'), /^files: 3$/m);
    assert.equal(a.trove('pull').code, 0);
    assertData(a, 'data', { 'a.bin': 'a', 'b.bin': 'from b', 'c.bin': 'from a' });
    a.git('add', 'data.trove');
    a.git('commit', '-q', '--no-edit');

    // The next merge from B's side needs no --merge: the driver fetches the pages itself.
    commitData(b, 'data', { 'd.bin': 'more from b' }, 'b adds more');
    assert.equal(b.trove('push').code, 0);
    b.git('push', '-q', 'origin', 'feature');
    commitData(a, 'data', { 'e.bin': 'more from a' }, 'a adds more');
    a.git('fetch', '-q', 'origin');
    const second = gitMerge(a.dir, 'origin/feature');
    assert.equal(second.code, 0, second.output);
    assert.match(pointerOf(a.dir, 'data'), /^files: 5$/m);
  } finally {
    team.cleanup();
  }
});
