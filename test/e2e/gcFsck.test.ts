import { unpackToFormat1 } from '../helpers/unpackStore.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, createTmpRepo, pseudoRandom, runCli, runJson, objectPath } from '../helpers/tmpRepo.js';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PackWriter } from '../../src/store/pack/PackWriter.js';


test('gc keeps what any branch, tag, stash, index or the work tree refers to, removes the rest, and reports the space', () => {
  const repo = createTmpRepo();
  try {
    repo.write('m.bin', 'tagged version');
    runCli(repo.dir, ['add', 'm.bin']);
    repo.git('commit', '-qm', 'v1');
    repo.git('tag', 'v1');
    repo.write('m.bin', 'branch version');
    runCli(repo.dir, ['add', 'm.bin']);
    repo.git('commit', '-qm', 'v2');
    repo.write('m.bin', 'stashed version');
    runCli(repo.dir, ['add', 'm.bin']);
    repo.git('stash', '-q');
    repo.write('m.bin', 'orphan version');
    runCli(repo.dir, ['add', 'm.bin']); // staged...
    repo.write('m.bin', 'work tree version');
    runCli(repo.dir, ['add', '--no-stage', 'm.bin']); // ...and a newer unstaged pointer
    repo.write('junk.bin', 'never referenced');
    const junk = runJson(repo.dir, ['add', '--no-stage', 'junk.bin']).result.artifacts[0].oid;
    rmSync(join(repo.dir, 'junk.bin.trove'));
    const dry = runJson(repo.dir, ['gc', '--dry-run']).result;
    assert.equal(dry.removed, 1);
    assert.equal(dry.freedBytes, 'never referenced'.length);
    assert.equal(readFileSync(objectPath(repo.dir, junk), 'utf8'), 'never referenced', 'dry run removes nothing');
    const real = runJson(repo.dir, ['gc']).result;
    assert.equal(real.removed, 1);
    assert.throws(() => readFileSync(objectPath(repo.dir, junk)));
    for (const [rev, want] of [['v1', 'tagged version'], ['main', 'branch version'], ['stash@{0}', 'stashed version']]) {
      assert.equal(runCli(repo.dir, ['checkout', '--force', '--rev', rev!]).code, 0, rev);
      assert.equal(readFileSync(join(repo.dir, 'm.bin'), 'utf8'), want);
    }
  } finally {
    repo.cleanup();
  }
});

test('gc keeps every version in the history of a branch, not only its tip', () => {
  const repo = createTmpRepo();
  try {
    for (const v of ['one', 'two', 'three']) {
      repo.write('data/x.csv', v);
      runCli(repo.dir, ['add', 'data']);
      repo.git('commit', '-qm', v);
    }
    assert.equal(runJson(repo.dir, ['gc']).result.removed, 0);
    assert.equal(runCli(repo.dir, ['checkout', '--rev', 'HEAD~2']).code, 0);
    assert.equal(readFileSync(join(repo.dir, 'data/x.csv'), 'utf8'), 'one');
  } finally {
    repo.cleanup();
  }
});

test('gc refuses a shared cache unless told it may', () => {
  const repo = createTmpRepo();
  try {
    repo.write('.trove/config.local.yaml', `core:\n  cache: ${join(repo.dir, 'shared-cache')}\n`);
    const r = runJson(repo.dir, ['gc']);
    assert.equal(r.code, 2);
    assert.match(r.error.hint, /--allow-shared/);
    assert.equal(runJson(repo.dir, ['gc', '--allow-shared']).code, 0);
  } finally {
    repo.cleanup();
  }
});

test('fsck re-hashes everything, removes and reports corrupt objects, and exits 1', () => {
  const repo = createTmpRepo();
  try {
    repo.write('a.bin', 'alpha');
    repo.write('b.bin', 'beta');
    const arts = runJson(repo.dir, ['add', 'a.bin', 'b.bin']).result.artifacts;
    const clean = runJson(repo.dir, ['fsck']);
    assert.equal(clean.code, 0);
    assert.equal(clean.result.corrupt.length, 0);
    const victim = objectPath(repo.dir, arts[1].oid);
    chmodSync(victim, 0o644);
    writeFileSync(victim, 'bet@');
    const bad = runCli(repo.dir, ['--json', 'fsck']);
    assert.equal(bad.code, 1);
    const res = JSON.parse(bad.stdout).result;
    assert.deepEqual(res.corrupt.map((c: { oid: string }) => c.oid), [arts[1].oid]);
    assert.equal(runJson(repo.dir, ['fsck']).code, 0, 'the store healed itself by removing the bad object');
    assert.equal(runJson(repo.dir, ['status', 'b.bin']).result.artifacts[0].inCache, false);
  } finally {
    repo.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// Local packs (issue 18, docs/reliability.md "Packs and readers")

const packsOf = (repoDir: string): string[] => {
  try {
    return readdirSync(join(repoDir, '.trove/cache/packs')).filter((n) => n.endsWith('.pack')).map((n) => n.slice(0, -'.pack'.length)).sort();
  } catch {
    // no packs directory: no packs
    return [];
  }
};

/**
 * Files of the store that hold objects: packs, their indexes (retired ones
 * too) and loose objects and chunk lists. Not counted: FORMAT, completeness
 * markers and reader leases (a handful, whatever the number of objects).
 */
function objectFiles(repoDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      // absent: holds nothing
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  for (const sub of ['packs', 'objects', 'files']) walk(join(repoDir, '.trove/cache', sub));
  return out;
}

/** `count` small distinct files under data/, 50 to a folder. */
function writeSmallFiles(repo: { write(p: string, d: string | Uint8Array): void }, count: number, seed: number): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const p = `data/d${String(Math.floor(i / 50)).padStart(2, '0')}/f${String(i).padStart(4, '0')}.bin`;
    const b = pseudoRandom(200 + ((i * 37) % 900), seed * 100_003 + i);
    repo.write(p, b);
    out.set(p, b);
  }
  return out;
}

function assertTree(dir: string, files: Map<string, Buffer>): void {
  for (const [p, b] of files) assert.ok(readFileSync(join(dir, p)).equals(b), p);
}

/** fsck --json: exit 1 with findings still prints the success envelope on stdout. */
function fsckJson(dir: string): { code: number; result: any; stderr: string } {
  const r = runCli(dir, ['--json', 'fsck']);
  return { code: r.code, result: JSON.parse(r.stdout).result, stderr: r.stderr };
}

function flipByteIn(file: string, at: number): void {
  const bytes = readFileSync(file);
  bytes[at] = bytes[at]! ^ 0xff;
  chmodSync(file, 0o644);
  writeFileSync(file, bytes);
}

/** A repository with 300 small files added (packed), committed and pushed to a directory remote. */
function packedAndPushed(): { repo: ReturnType<typeof createTmpRepo>; files: Map<string, Buffer> } {
  const repo = createTmpRepo();
  const files = writeSmallFiles(repo, 300, 1);
  assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
  repo.git('commit', '-qm', 'v1');
  assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 'nas', join(repo.dir, '..', `${repo.dir.split('/').pop()}-remote`)]).code, 0);
  const push = runCli(repo.dir, ['push']);
  assert.equal(push.code, 0, push.stderr);
  assert.ok(packsOf(repo.dir).length >= 1, 'add packed the small files');
  return { repo, files };
}

test('a corrupt pack is found by fsck, named, and its objects are recovered by trove fetch', () => {
  const { repo, files } = packedAndPushed();
  try {
    const packs = packsOf(repo.dir);
    const victim = packs[0]!;
    const packFile = join(repo.dir, '.trove/cache/packs', victim + '.pack');
    flipByteIn(packFile, Math.floor(readFileSync(packFile).length / 2));
    const fsck = fsckJson(repo.dir);
    assert.equal(fsck.code, 1, fsck.stderr);
    assert.ok(fsck.result.corrupt.length >= 1);
    assert.equal(fsck.result.corrupt[0].pack, victim, 'the corrupt entry names its pack');
    rmSync(join(repo.dir, 'data'), { recursive: true, force: true });
    const missing = runCli(repo.dir, ['checkout', '--no-fetch']);
    assert.notEqual(missing.code, 0, 'the corrupt object is gone from the store');
    const fetch = runCli(repo.dir, ['fetch']);
    assert.equal(fetch.code, 0, fetch.stderr);
    const co = runCli(repo.dir, ['checkout', '--no-fetch']);
    assert.equal(co.code, 0, co.stderr);
    assertTree(repo.dir, files);
    const again = runJson(repo.dir, ['fsck']);
    assert.equal(again.code, 0, JSON.stringify(again.result));
    assert.deepEqual(again.result.corrupt, []);
  } finally {
    rmSync(`${repo.dir}-remote`, { recursive: true, force: true });
    repo.cleanup();
  }
});

test('a truncated pack index is reported and its objects are fetched again', () => {
  const { repo, files } = packedAndPushed();
  try {
    const victim = packsOf(repo.dir)[0]!;
    const index = join(repo.dir, '.trove/cache/packs', victim + '.tidx');
    chmodSync(index, 0o644);
    truncateSync(index, 700);
    const fsck = fsckJson(repo.dir);
    assert.equal(fsck.code, 1, fsck.stderr);
    assert.equal(fsck.result.badPacks.length, 1);
    assert.equal(fsck.result.badPacks[0].pack, victim);
    assert.match(fsck.result.badPacks[0].reason, /^index unreadable/);
    assert.ok(!packsOf(repo.dir).includes(victim), 'the pack was retired');
    const fetch = runCli(repo.dir, ['fetch']);
    assert.equal(fetch.code, 0, fetch.stderr);
    rmSync(join(repo.dir, 'data'), { recursive: true, force: true });
    const co = runCli(repo.dir, ['checkout', '--no-fetch']);
    assert.equal(co.code, 0, co.stderr);
    assertTree(repo.dir, files);
    assert.equal(runJson(repo.dir, ['fsck']).code, 0);
  } finally {
    rmSync(`${repo.dir}-remote`, { recursive: true, force: true });
    repo.cleanup();
  }
});

test('trove gc packs a format-1 store: every version checks out, ≤ 1 file per 1,000 objects', () => {
  const repo = createTmpRepo();
  try {
    const versions: Map<string, Buffer>[] = [];
    for (let v = 1; v <= 3; v++) {
      const files = writeSmallFiles(repo, 2000, v);
      const add = runCli(repo.dir, ['add', 'data']);
      assert.equal(add.code, 0, add.stderr);
      // a format-1 store: every object loose, as a trove before packs wrote it
      unpackToFormat1(join(repo.dir, '.trove/cache'));
      repo.git('commit', '-qm', `v${v}`);
      repo.git('tag', `v${v}`);
      versions.push(files);
    }
    assert.deepEqual(packsOf(repo.dir), [], 'the store is loose, format 1');
    const objects = 3 * 2000 + 3; // the files, plus at least a root page per version
    const gc = runJson(repo.dir, ['gc']);
    assert.equal(gc.code, 0, gc.stderr);
    assert.ok(packsOf(repo.dir).length >= 1);
    const files = objectFiles(repo.dir);
    assert.ok(files.length * 1000 <= objects, `${files.length} store files for ${objects}+ objects: ${files.join(', ')}`);
    for (let v = 1; v <= 3; v++) {
      rmSync(join(repo.dir, 'data'), { recursive: true, force: true });
      const co = runCli(repo.dir, ['checkout', '--force', '--no-fetch', '--rev', `v${v}`]);
      assert.equal(co.code, 0, co.stderr);
      assertTree(repo.dir, versions[v - 1]!);
    }
    assert.equal(runJson(repo.dir, ['fsck']).code, 0);
  } finally {
    repo.cleanup();
  }
});

test('add packs automatically past gc.auto_pack_limit packs, and not at all with gc.auto 0', () => {
  const repo = createTmpRepo();
  try {
    const config = readFileSync(join(repo.dir, '.trove/config.yaml'), 'utf8');
    repo.write('.trove/config.yaml', `${config}gc:\n  auto: 0\n`);
    // 120 files per add: enough for add to write a pack (below ~100 it may keep them loose, as git's unpackLimit)
    const addVersion = (v: number): void => {
      for (let i = 0; i < 120; i++) repo.write(`data/v${v}/f${i}.bin`, pseudoRandom(300 + i, v * 1000 + i));
      assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    };
    for (let v = 1; v <= 4; v++) addVersion(v);
    const unpacked = packsOf(repo.dir).length;
    assert.ok(unpacked >= 4, `gc.auto 0: one pack per add (${unpacked})`);
    repo.write('.trove/config.yaml', `${config}gc:\n  auto_pack_limit: 3\n`);
    addVersion(5);
    assert.ok(packsOf(repo.dir).length < unpacked, `merged past the limit: ${packsOf(repo.dir).length} packs`);
    rmSync(join(repo.dir, 'data'), { recursive: true, force: true });
    assert.equal(runCli(repo.dir, ['checkout', '--no-fetch']).code, 0);
    for (let v = 1; v <= 5; v++) for (let i = 0; i < 120; i += 17) assert.ok(readFileSync(join(repo.dir, `data/v${v}/f${i}.bin`)).equals(pseudoRandom(300 + i, v * 1000 + i)));
    assert.equal(fsckJson(repo.dir).code, 0);
  } finally {
    repo.cleanup();
  }
});

test('gc marks the chunks of live large files from their chunk lists, and removes a dead large file\'s chunks', () => {
  const repo = createTmpRepo();
  try {
    const live = pseudoRandom(3 << 20, 41);
    repo.write('big.bin', live);
    assert.equal(runCli(repo.dir, ['add', 'big.bin']).code, 0);
    repo.git('commit', '-qm', 'live');
    repo.write('dead.bin', pseudoRandom(3 << 20, 42));
    assert.equal(runCli(repo.dir, ['add', '--no-stage', 'dead.bin']).code, 0);
    rmSync(join(repo.dir, 'dead.bin.trove'));
    rmSync(join(repo.dir, 'dead.bin'));
    const gc = runJson(repo.dir, ['gc']);
    assert.equal(gc.code, 0, gc.stderr);
    assert.ok(gc.result.removed >= 2, `the dead file's chunk list and chunks: ${gc.result.removed}`);
    rmSync(join(repo.dir, 'big.bin'));
    const co = runCli(repo.dir, ['checkout', '--no-fetch', 'big.bin']);
    assert.equal(co.code, 0, co.stderr);
    assert.ok(readFileSync(join(repo.dir, 'big.bin')).equals(live));
    assert.equal(fsckJson(repo.dir).code, 0);
  } finally {
    repo.cleanup();
  }
});

test('fsck of a store of 150,000 packed objects ran out of a 24 MB heap (an object per entry of the store); it checks a pack at a time', () => {
  const repo = createTmpRepo();
  try {
    // Six packs of 25,000 tiny objects each, written straight into the store: no add of 150,000 files.
    const packs = join(repo.dir, '.trove', 'cache', 'packs');
    for (let p = 0; p < 6; p++) {
      const w = new PackWriter(packs, { fsync: false });
      for (let i = 0; i < 25_000; i++) {
        const bytes = Buffer.from(`object ${p}/${i}`);
        w.append('o', createHash('sha256').update(bytes).digest('hex'), bytes);
      }
      w.finish();
    }
    const r = spawnSync(process.execPath, ['--max-old-space-size=24', BIN, '--json', 'fsck'], { cwd: repo.dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    const result = JSON.parse(r.stdout).result;
    assert.equal(result.checked, 150_000);
    assert.deepEqual(result.corrupt, []);
  } finally {
    repo.cleanup();
  }
});
