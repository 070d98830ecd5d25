import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson } from '../helpers/tmpRepo.js';
import { assertFails, seededUpstream } from '../helpers/upstream.js';

test('import records the source, status treats it like tracked data, and update brings the new version with the new commit', () => {
  const { up, v2, x2 } = seededUpstream();
  const here = createTmpRepo();
  try {
    const imp = runJson(here.dir, ['import', up.repo.dir, 'data/x.bin', '-o', 'inputs/x.bin']);
    assert.equal(imp.code, 0, imp.stderr);
    assert.equal(imp.result.out, 'inputs/x.bin');
    assert.equal(imp.result.pointer, 'inputs/x.bin.trove');
    assert.deepEqual(imp.result.staged, ['inputs/x.bin.trove', 'inputs/.gitignore']);
    assert.ok(readFileSync(join(here.dir, 'inputs/x.bin')).equals(x2));
    const pointer = readFileSync(join(here.dir, 'inputs/x.bin.trove'), 'utf8');
    assert.equal(pointer, `trove: 2\nkind: file\noid: ${imp.result.oid}\nsize: ${x2.length}\nsource:\n  url: ${JSON.stringify(up.repo.dir)}\n  path: "data/x.bin"\n  commit: ${v2}\n`);
    assert.match(readFileSync(join(here.dir, 'inputs/.gitignore'), 'utf8'), /^\/x\.bin$/m);
    const st = runJson(here.dir, ['status']).result;
    assert.deepEqual(st.artifacts.map((a: any) => [a.path, a.state, a.inCache]), [['inputs/x.bin', 'unchanged', true]]);
    here.git('commit', '-q', '-m', 'import x');

    const same = runJson(here.dir, ['update']);
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual(same.result.artifacts.map((a: any) => [a.path, a.updated]), [['inputs/x.bin', false]]);

    const x3 = pseudoRandom(320_000, 13);
    const v3 = up.commit({ 'data/x.bin': x3 }, 'data v3');
    const upd = runJson(here.dir, ['update', 'inputs/x.bin']);
    assert.equal(upd.code, 0, upd.stderr);
    const [a] = upd.result.artifacts;
    assert.equal(a.oldCommit, v2);
    assert.equal(a.newCommit, v3);
    assert.equal(a.oldOid, imp.result.oid);
    assert.notEqual(a.newOid, a.oldOid);
    assert.equal(a.updated, true);
    assert.equal(a.dataChanged, true);
    assert.ok(readFileSync(join(here.dir, 'inputs/x.bin')).equals(x3));
    assert.match(readFileSync(join(here.dir, 'inputs/x.bin.trove'), 'utf8'), new RegExp(`commit: ${v3}\\n$`));
    assert.deepEqual(upd.result.staged, ['inputs/x.bin.trove']);
    assert.equal(runJson(here.dir, ['status']).result.clean, true);
    const text = runCli(here.dir, ['update']);
    assert.match(text.stdout, /up to date +inputs\/x\.bin/);
    // The source record travels with the pointer.
    assert.equal(runJson(here.dir, ['mv', 'inputs/x.bin', 'moved.bin']).code, 0);
    assert.match(readFileSync(join(here.dir, 'moved.bin.trove'), 'utf8'), new RegExp(`path: "data/x.bin"\n  commit: ${v3}\n$`));
    assert.deepEqual(runJson(here.dir, ['update']).result.artifacts.map((x: any) => [x.path, x.updated]), [['moved.bin', false]]);
  } finally {
    here.cleanup();
    up.cleanup();
  }
});

test('update --rev moves an import to another revision and records it; re-adding unchanged imported data keeps the source', () => {
  const { up, v1, x1 } = seededUpstream();
  const here = createTmpRepo();
  try {
    // From a sub-directory, OUT is relative to it, as for every other command.
    mkdirSync(join(here.dir, 'sub'));
    const images = runJson(join(here.dir, 'sub'), ['import', up.repo.dir, 'data/images']);
    assert.equal(images.code, 0, images.stderr);
    assert.equal(images.result.out, 'sub/images');
    assert.deepEqual(readdirSync(join(here.dir, 'sub/images')).sort(), ['a.bin', 'b.bin', 'sub']);
    assert.equal(runJson(here.dir, ['import', up.repo.dir, 'data/x.bin']).code, 0);
    const r = runJson(here.dir, ['update', 'x.bin', '--rev', 'v1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.result.artifacts[0].newCommit, v1);
    assert.ok(readFileSync(join(here.dir, 'x.bin')).equals(x1));
    assert.match(readFileSync(join(here.dir, 'x.bin.trove'), 'utf8'), /\n {2}rev: "v1"\n {2}commit: /);
    assert.equal(runJson(here.dir, ['add', 'sub/images']).code, 0);
    assert.match(readFileSync(join(here.dir, 'sub/images.trove'), 'utf8'), /^trove: 2\n[\s\S]*source:\n {2}url: /);
  } finally {
    here.cleanup();
    up.cleanup();
  }
});

test('update refuses to overwrite local changes to imported data and leaves the pointer alone; --force saves them first', () => {
  const { up } = seededUpstream();
  const here = createTmpRepo();
  try {
    assert.equal(runJson(here.dir, ['import', up.repo.dir, 'data/x.bin']).code, 0);
    const before = readFileSync(join(here.dir, 'x.bin.trove'), 'utf8');
    writeFileSync(join(here.dir, 'x.bin'), 'my local edit');
    up.commit({ 'data/x.bin': pseudoRandom(1000, 5) }, 'v3');
    const err = assertFails(here.dir, ['update'], 'DIRTY', 1);
    assert.deepEqual(err.data.paths, ['x.bin']);
    assert.equal(readFileSync(join(here.dir, 'x.bin.trove'), 'utf8'), before, 'pointer unchanged');
    assert.equal(readFileSync(join(here.dir, 'x.bin'), 'utf8'), 'my local edit');
    assert.equal(runJson(here.dir, ['update', '--force']).code, 0);
    assert.ok(readFileSync(join(here.dir, 'x.bin')).equals(pseudoRandom(1000, 5)));
  } finally {
    here.cleanup();
    up.cleanup();
  }
});

test('bad input to import and update: not a trove repository, an existing pointer, a target inside tracked data, data that was not imported', () => {
  const { up } = seededUpstream();
  const here = createTmpRepo();
  const plain = mkdtempSync(join(tmpdir(), 'trove-plain-'));
  try {
    assertFails(plain, ['import', up.repo.dir, 'data/x.bin'], 'NOT_A_GIT_REPO', 10);
    assert.equal(runJson(here.dir, ['import', up.repo.dir, 'data/x.bin']).code, 0);
    const again = assertFails(here.dir, ['import', up.repo.dir, 'data/x.bin'], 'USAGE', 2);
    assert.match(again.hint, /trove update x\.bin/);
    here.write('local.bin', 'mine');
    assert.equal(runJson(here.dir, ['add', 'local.bin']).code, 0);
    assertFails(here.dir, ['update', 'local.bin'], 'USAGE', 2);
    here.write('ds/one.bin', 'one');
    assert.equal(runJson(here.dir, ['add', 'ds']).code, 0);
    assertFails(here.dir, ['import', up.repo.dir, 'data/images/a.bin', '-o', 'ds/a.bin'], 'ALREADY_TRACKED', 1);
  } finally {
    here.cleanup();
    up.cleanup();
    rmSync(plain, { recursive: true, force: true });
  }
});
