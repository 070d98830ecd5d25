import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FS_SYNC_HEAD_START, FS_SYNC_HEAD_START_BYTES, FS_SYNC_MIN_OBJECTS, ObjectBatch, syncDirs, useFsWideSync, writeObjectSync, type WriterFs } from '../../../src/store/objectWriter.js';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { ingestMany } from '../../../src/store/ingestPool.js';
import { createOid } from '../../../src/core/oid.js';
import { objectFile } from '../../../src/store/layout.js';
import { readManifest, writeManifestBatched } from '../../../src/store/manifestIO.js';

function tmp(): string {
  return fs.mkdtempSync(join(tmpdir(), 'trove-writer-'));
}

/** node:fs with every writer call logged in order: ['datasync', path] for a file's data, ['dirsync', path] for a directory, ['rename', target], ['open', path]. */
function recordingFs(): { fs: WriterFs; log: [string, string][] } {
  const log: [string, string][] = [];
  const paths = new Map<number, string>();
  const rec: WriterFs = {
    ...fs,
    openSync: ((path: string, flags: string, mode?: number) => {
      const fd = fs.openSync(path, flags, mode);
      paths.set(fd, path);
      log.push(['open', path]);
      return fd;
    }) as WriterFs['openSync'],
    fdatasync: ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      log.push([fs.statSync(paths.get(fd)!).isDirectory() ? 'dirsync' : 'datasync', paths.get(fd)!]);
      fs.fdatasync(fd, cb);
    }) as WriterFs['fdatasync'],
    fdatasyncSync: (fd: number) => {
      log.push(['datasync', paths.get(fd)!]);
      fs.fdatasyncSync(fd);
    },
    fsync: ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      log.push([fs.statSync(paths.get(fd)!).isDirectory() ? 'dirsync' : 'datasync', paths.get(fd)!]);
      fs.fsync(fd, cb);
    }) as WriterFs['fsync'],
    fsyncSync: (fd: number) => {
      log.push([fs.statSync(paths.get(fd)!).isDirectory() ? 'dirsync' : 'datasync', paths.get(fd)!]);
      fs.fsyncSync(fd);
    },
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      log.push(['rename', String(to)]);
      fs.renameSync(from, to);
    },
  };
  return { fs: rec, log };
}

function target(store: string, data: Buffer): string {
  return objectFile(store, createOid('sha256', createHash('sha256').update(data).digest('hex')));
}

const isTemp = (name: string): boolean => name.startsWith('.') && name.includes('.tmp-');

test('store object renamed in without fsync could be empty after a power cut: every object is synced before its rename, and its directory after', async () => {
  const dir = tmp();
  try {
    const { fs: rec, log } = recordingFs();
    const objects = [Buffer.from('first'), Buffer.from('second'), Buffer.from('third')];
    const batch = new ObjectBatch({ fs: rec });
    for (const o of objects) assert.equal(batch.add(target(dir, o), o), o.length);
    await batch.commit();
    await syncDirs(batch.dirs, { fs: rec });
    for (const o of objects) {
      const t = target(dir, o);
      assert.deepEqual(fs.readFileSync(t), o);
      const synced = log.findIndex(([op, p]) => op === 'datasync' && dirname(p) === dirname(t) && basename(p).startsWith(`.${basename(t)}.tmp-`));
      const renamed = log.findIndex(([op, p]) => op === 'rename' && p === t);
      const dirSynced = log.findIndex(([op, p]) => op === 'dirsync' && p === dirname(t));
      assert.ok(synced >= 0 && synced < renamed, `the data of ${basename(t)} is synced before it is renamed into place`);
      assert.ok(dirSynced > renamed, `the directory of ${basename(t)} is synced after the rename`);
    }
    // Git's batch order: no rename before every data sync of the batch.
    const lastSync = log.map(([op]) => op).lastIndexOf('datasync');
    const firstRename = log.findIndex(([op]) => op === 'rename');
    assert.ok(lastSync < firstRename, 'all data syncs come before the first rename');
    // The fan-out directories did not exist: the directories that hold them are synced too.
    assert.ok(log.some(([op, p]) => op === 'dirsync' && p === join(dir, 'objects', 'sha256')), 'a created fan-out directory is made durable in its parent');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('store object renamed in without fsync could be empty after a power cut: the synchronous writer (manifest pages, chunk lists) syncs too', () => {
  const dir = tmp();
  try {
    const { fs: rec, log } = recordingFs();
    const data = Buffer.from('a manifest page');
    const t = target(dir, data);
    assert.equal(writeObjectSync(t, data, { fs: rec }), data.length);
    const ops = log.filter(([op]) => op !== 'open').map(([op, p]) => `${op} ${p === t || p === dirname(t) ? basename(p) : isTemp(basename(p)) ? 'temp' : 'other'}`);
    assert.deepEqual(ops.slice(0, 2), ['datasync temp', `rename ${basename(t)}`]);
    assert.ok(ops.slice(2).includes(`dirsync ${basename(dirname(t))}`), 'then the fan-out directory is synced');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('store object renamed in without fsync could be empty after a power cut: an add is durable, directories included, before ingestMany returns (so before any pointer names it)', async () => {
  const dir = tmp();
  try {
    const { fs: rec, log } = recordingFs();
    const files = ['a', 'b', 'c'].map((n, i) => {
      const p = join(dir, n);
      fs.writeFileSync(p, `content ${i}`);
      return { path: p, size: fs.statSync(p).size };
    });
    const outcomes = await ingestMany(files, join(dir, 'store'), { jobs: 1, writerFs: rec });
    assert.ok(outcomes.every((o) => o.ok));
    const renames = log.filter(([op]) => op === 'rename');
    assert.equal(renames.length, 3);
    for (const [, t] of renames) {
      assert.ok(log.findIndex(([op, p]) => op === 'dirsync' && p === dirname(t)) > log.findIndex(([op, p]) => op === 'rename' && p === t), `${basename(t)}'s directory is synced before ingestMany returns`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('with core.fsync off (scratch work) the writer makes no sync call at all', async () => {
  const dir = tmp();
  try {
    const { fs: rec, log } = recordingFs();
    const a = Buffer.from('scratch a');
    const b = Buffer.from('scratch b');
    const batch = new ObjectBatch({ fsync: false, fs: rec });
    batch.add(target(dir, a), a);
    await batch.commit();
    await syncDirs(batch.dirs, { fsync: false, fs: rec });
    writeObjectSync(target(dir, b), b, { fsync: false, fs: rec });
    const p = join(dir, 'f');
    fs.writeFileSync(p, 'scratch file');
    await ingestMany([{ path: p, size: 12 }], join(dir, 'store'), { jobs: 1, fsync: false, writerFs: rec });
    assert.deepEqual(
      log.filter(([op]) => op === 'datasync' || op === 'dirsync'),
      [],
    );
    assert.equal(log.filter(([op]) => op === 'rename').length, 3, 'the objects are still written');
    assert.deepEqual(fs.readFileSync(target(dir, a)), a);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a crash between an object temp write and its rename leaves no visible object; the temp is ignored and later cleaned', async () => {
  const dir = tmp();
  try {
    const store = new ObjectStore(join(dir, 'store'));
    const data = Buffer.from('written, never renamed');
    const oid = createOid('sha256', createHash('sha256').update(data).digest('hex'));
    // The process dies after add() (temp written and syncing) and before commit(): nothing else runs.
    const batch = new ObjectBatch();
    batch.add(store.objectPath(oid), data);
    const fan = dirname(store.objectPath(oid));
    const left = fs.readdirSync(fan);
    assert.equal(left.length, 1);
    assert.ok(isTemp(left[0]!), 'only a temp file is on disk');
    assert.equal(store.hasObject(oid), false);
    assert.equal(store.hasFile(oid), false);
    assert.deepEqual(store.list(), [], 'the temp is not listed as an object');
    assert.throws(() => store.readObject(oid, 'x'), { code: 'OBJECT_MISSING' });
    // The next writer stores the object beside it; gc's clean-up removes the stale temp.
    assert.equal(store.putBytes(data).written, data.length);
    assert.equal(store.removeStaleTemps(-1), 1);
    assert.deepEqual(fs.readdirSync(fan), [basename(store.objectPath(oid))]);
    assert.deepEqual(store.readObject(oid, 'x'), data);
    await batch.commit().catch(() => undefined); // let the orphaned sync settle before the directory goes
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a rename that fails leaves neither the object nor its temp file', async () => {
  const dir = tmp();
  try {
    const failing: WriterFs = {
      ...fs,
      renameSync: () => {
        throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
      },
    };
    const data = Buffer.from('never stored');
    const batch = new ObjectBatch({ fs: failing });
    batch.add(target(dir, data), data);
    await assert.rejects(batch.commit(), { code: 'ENOSPC' });
    assert.equal(fs.existsSync(target(dir, data)), false);
    assert.deepEqual(fs.readdirSync(dirname(target(dir, data))), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an existing correct object is not rewritten (no temp, no sync, same inode)', async () => {
  const dir = tmp();
  try {
    const data = Buffer.from('already stored');
    const t = target(dir, data);
    writeObjectSync(t, data);
    const before = fs.statSync(t);
    const { fs: rec, log } = recordingFs();
    const batch = new ObjectBatch({ fs: rec });
    assert.equal(batch.add(t, data), 0);
    await batch.commit();
    assert.equal(writeObjectSync(t, data, { fs: rec }), 0);
    assert.equal(log.length, 0, 'nothing opened, synced or renamed');
    assert.equal(fs.statSync(t).ino, before.ino);
    // The same content twice in one batch (repeated chunks) is written once.
    const other = Buffer.from('twice in one batch');
    const b2 = new ObjectBatch({ fs: rec });
    assert.equal(b2.add(target(dir, other), other), other.length);
    assert.equal(b2.add(target(dir, other), other), 0);
    await b2.commit();
    assert.equal(log.filter(([op]) => op === 'rename').length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an object left empty by a power cut under an older trove is replaced by the next write', () => {
  const dir = tmp();
  try {
    const data = Buffer.from('the real content');
    const t = target(dir, data);
    fs.mkdirSync(dirname(t), { recursive: true });
    fs.writeFileSync(t, '', { mode: 0o444 });
    assert.equal(writeObjectSync(t, data), data.length);
    assert.deepEqual(fs.readFileSync(t), data);
    assert.equal(fs.statSync(t).mode & 0o777, 0o444);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Many small files for ingestMany (enough for the syncfs path). */
function manyFiles(dir: string, n: number): { path: string; size: number }[] {
  fs.mkdirSync(join(dir, 'data'), { recursive: true });
  return Array.from({ length: n }, (_, i) => {
    const p = join(dir, 'data', `f${i}`);
    fs.writeFileSync(p, `small file ${i}`);
    return { path: p, size: fs.statSync(p).size };
  });
}

// 2 threads: more files than ingestMany runs inline, so worker threads write the temps.
for (const [jobs, count] of [[1, FS_SYNC_MIN_OBJECTS + 6], [2, 210]] as const) {
  test(`per-object syncs made a large add slow: with many objects (${jobs} thread${jobs > 1 ? 's' : ''}) one syncfs comes before the first rename and one after the last, and no object is synced alone`, async () => {
    const dir = tmp();
    try {
      const { fs: rec, log } = recordingFs();
      const files = manyFiles(dir, count);
      const syncFileSystem = async (d: string): Promise<void> => void log.push(['syncfs', d]);
      const store = join(dir, 'store');
      const outcomes = await ingestMany(files, store, { jobs, writerFs: rec, syncFileSystem });
      log.push(['returned', '']);
      assert.ok(outcomes.every((o) => o.ok));
      const ops = log.map(([op]) => op);
      assert.deepEqual(log.filter(([op]) => op === 'syncfs'), [['syncfs', store], ['syncfs', store]]);
      // The main thread's log holds every rename (workers only write temps when syncfs is used).
      assert.equal(ops.filter((op) => op === 'rename').length, files.length);
      assert.ok(ops.indexOf('syncfs') < ops.indexOf('rename'), 'syncfs before the first rename');
      assert.ok(ops.lastIndexOf('syncfs') > ops.lastIndexOf('rename'), 'syncfs after the last rename');
      assert.ok(ops.lastIndexOf('syncfs') < ops.indexOf('returned'), 'and before ingestMany returns');
      assert.deepEqual(log.filter(([op]) => op === 'datasync' || op === 'dirsync'), []);
      for (const f of files) assert.ok(fs.existsSync(target(store, fs.readFileSync(f.path))));
      assert.deepEqual(fs.readdirSync(store, { recursive: true }).filter((n) => isTemp(basename(String(n)))), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`a missing or failing sync command never skips durability (${jobs} thread${jobs > 1 ? 's' : ''}): each object is synced before its rename and its directory after`, async () => {
    const dir = tmp();
    try {
      const { fs: rec, log } = recordingFs();
      const files = manyFiles(dir, count);
      const syncFileSystem = async (): Promise<void> => {
        log.push(['syncfs-failed', '']);
        throw Object.assign(new Error('spawn sync ENOENT'), { code: 'ENOENT' });
      };
      const store = join(dir, 'store');
      const outcomes = await ingestMany(files, store, { jobs, writerFs: rec, syncFileSystem });
      assert.ok(outcomes.every((o) => o.ok));
      const ops = log.map(([op]) => op);
      assert.equal(ops.filter((op) => op === 'syncfs-failed').length, 1, 'tried once, then fell back');
      const renames = log.filter(([op]) => op === 'rename');
      assert.equal(renames.length, files.length);
      assert.equal(ops.filter((op) => op === 'datasync').length, files.length, 'every object synced');
      assert.ok(ops.lastIndexOf('datasync') < ops.indexOf('rename'), 'all data syncs before the first rename');
      for (const [, t] of renames) {
        assert.ok(log.findIndex(([op, p]) => op === 'dirsync' && p === dirname(t)) > log.findIndex(([op, p]) => op === 'rename' && p === t), `${basename(t)}'s directory is synced after its rename`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('with core.fsync off a large add makes no sync call at all, syncfs included', async () => {
  const dir = tmp();
  try {
    const { fs: rec, log } = recordingFs();
    const files = manyFiles(dir, FS_SYNC_MIN_OBJECTS + 6);
    const syncFileSystem = async (d: string): Promise<void> => void log.push(['syncfs', d]);
    const outcomes = await ingestMany(files, join(dir, 'store'), { jobs: 1, fsync: false, writerFs: rec, syncFileSystem });
    assert.ok(outcomes.every((o) => o.ok));
    assert.deepEqual(log.filter(([op]) => op === 'datasync' || op === 'dirsync' || op === 'syncfs'), []);
    assert.equal(log.filter(([op]) => op === 'rename').length, files.length, 'the objects are still written');
    assert.equal(useFsWideSync(10_000, { fsync: false, syncFileSystem }), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a few objects keep per-object syncs (syncfs would sync the whole file system for nothing)', () => {
  const syncFileSystem = async (): Promise<void> => undefined;
  assert.equal(useFsWideSync(FS_SYNC_MIN_OBJECTS - 1, { syncFileSystem }), false);
  assert.equal(useFsWideSync(FS_SYNC_MIN_OBJECTS, { syncFileSystem }), true);
});

/** A syncFileSystem whose calls wait until the test settles them (in call order), or succeed at once after `auto()`. */
function heldSyncs(): { syncFileSystem: (dir: string) => Promise<void>; calls: string[]; settle: (ok?: boolean) => Promise<void>; auto: () => void } {
  const calls: string[] = [];
  const held: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let automatic = false;
  return {
    calls,
    syncFileSystem: (dir) => {
      calls.push(dir);
      if (automatic) return Promise.resolve();
      return new Promise<void>((resolve, reject) => held.push({ resolve, reject }));
    },
    settle: async (ok = true) => {
      const h = held.shift()!;
      if (ok) h.resolve();
      else h.reject(Object.assign(new Error('sync -f failed'), { code: 'EIO' }));
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    },
    auto: () => void (automatic = true),
  };
}

/** Temps of `n` distinct small objects written by a worker-style `defer` batch, ready to adopt. */
function stagedObjects(store: string, n: number, from = 0): { staged: ReturnType<ObjectBatch['handOff']>; targets: string[] } {
  const worker = new ObjectBatch({}, { early: true, defer: true });
  const targets: string[] = [];
  for (let i = from; i < from + n; i++) {
    const data = Buffer.from(`object ${i}`);
    const t = target(store, data);
    worker.add(t, data);
    targets.push(t);
  }
  return { staged: worker.handOff(), targets };
}

test('an add of 20,000 small files waited for one big syncfs and 20,000 renames at the end: a background syncfs renames what was written before it started, and nothing written after', async () => {
  const dir = tmp();
  try {
    const store = join(dir, 'store');
    const s = heldSyncs();
    const batch = new ObjectBatch({ syncFileSystem: s.syncFileSystem }, { early: true, fsWide: store });
    const first = stagedObjects(store, FS_SYNC_HEAD_START);
    batch.adopt(first.staged);
    assert.equal(s.calls.length, 1, 'a syncfs starts in the background once enough objects are pending');
    const later = stagedObjects(store, 10, FS_SYNC_HEAD_START);
    batch.adopt(later.staged);
    assert.ok(first.targets.every((t) => !fs.existsSync(t)), 'nothing is renamed before its syncfs finishes');
    await s.settle();
    assert.ok(first.targets.every((t) => fs.existsSync(t)), 'the objects written before the syncfs started are in place');
    assert.ok(later.targets.every((t) => !fs.existsSync(t)), 'objects adopted after it started wait for the next syncfs');
    assert.equal(batch.size, 10);
    s.auto();
    await batch.commit();
    assert.equal(s.calls.length, 3, 'commit: one syncfs before the last renames, one after');
    assert.ok([...first.targets, ...later.targets].every((t) => fs.existsSync(t)));
    assert.deepEqual(fs.readdirSync(store, { recursive: true }).filter((n) => isTemp(basename(String(n)))), []);
    assert.equal(batch.dirs.size, 0, 'the last syncfs made every rename durable');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a background syncfs that fails renames nothing: commit syncs again before any rename', async () => {
  const dir = tmp();
  try {
    const store = join(dir, 'store');
    const s = heldSyncs();
    const batch = new ObjectBatch({ syncFileSystem: s.syncFileSystem }, { early: true, fsWide: store });
    const first = stagedObjects(store, FS_SYNC_HEAD_START);
    batch.adopt(first.staged);
    await s.settle(false);
    assert.ok(first.targets.every((t) => !fs.existsSync(t)), 'a failed syncfs proves nothing: no rename');
    const committed = batch.commit();
    await new Promise((r) => setImmediate(r));
    assert.ok(first.targets.every((t) => !fs.existsSync(t)), 'still nothing before commit\'s own syncfs finishes');
    await s.settle();
    await s.settle();
    await committed;
    assert.ok(first.targets.every((t) => fs.existsSync(t)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a rename that fails after a background syncfs fails the commit and leaves no temp file behind', async () => {
  const dir = tmp();
  try {
    const store = join(dir, 'store');
    const s = heldSyncs();
    let renames = 0;
    const failing: WriterFs = {
      ...fs,
      renameSync: (from: fs.PathLike, to: fs.PathLike) => {
        if (++renames === 100) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
        fs.renameSync(from, to);
      },
    };
    const batch = new ObjectBatch({ fs: failing, syncFileSystem: s.syncFileSystem }, { early: true, fsWide: store });
    batch.adopt(stagedObjects(store, FS_SYNC_HEAD_START).staged);
    const later = stagedObjects(store, 5, FS_SYNC_HEAD_START);
    batch.adopt(later.staged);
    await s.settle();
    s.auto();
    await assert.rejects(batch.commit(), /EIO/);
    assert.deepEqual(fs.readdirSync(store, { recursive: true }).filter((n) => isTemp(basename(String(n)))), []);
    assert.ok(later.targets.every((t) => !fs.existsSync(t)), 'nothing after the failure is renamed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a 1 GiB add synced all of its chunks only at the end: a batch that writes its own objects starts a syncfs every 64 MiB', async () => {
  const dir = tmp();
  try {
    const store = join(dir, 'store');
    const s = heldSyncs();
    const batch = new ObjectBatch({ syncFileSystem: s.syncFileSystem }, { early: true, fsWide: store });
    const big = (k: number): Buffer => Buffer.alloc(FS_SYNC_HEAD_START_BYTES / 2 + 1, k);
    const a = target(store, big(1));
    batch.add(a, big(1));
    assert.equal(s.calls.length, 0);
    const b = target(store, big(2));
    batch.add(b, big(2));
    assert.equal(s.calls.length, 1, 'a syncfs starts once 64 MiB are written');
    const c = target(store, Buffer.from('small'));
    batch.add(c, Buffer.from('small'));
    await s.settle();
    assert.ok(fs.existsSync(a) && fs.existsSync(b), 'the chunks written before it are in place');
    assert.ok(!fs.existsSync(c), 'the one written after it is not');
    s.auto();
    await batch.commit();
    assert.ok(fs.existsSync(c));
    assert.deepEqual(fs.readFileSync(b), big(2));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a new directory version wrote its manifest pages one durable write after another (W2 modify 0.35 -> 0.6 s): add writes them as one batch, every data sync before the first rename, each directory synced once after the last', async () => {
  const dir = tmp();
  try {
    const { fs: rec, log } = recordingFs();
    const store = new ObjectStore(join(dir, 'store'));
    const entries = Array.from({ length: 3000 }, (_, i) => ({ path: `f${String(i).padStart(5, '0')}.bin`, mode: 'f' as const, size: i, oid: createOid('sha256', createHash('sha256').update(`e${i}`).digest('hex')) }));
    const tree = await writeManifestBatched(store, entries, { fs: rec });
    const ops = log.map(([op]) => op);
    const renames = log.filter(([op]) => op === 'rename');
    assert.ok(renames.length > 3, `a multi-page tree (${renames.length} pages)`);
    assert.equal(ops.filter((op) => op === 'datasync').length, renames.length, 'every page synced');
    assert.ok(ops.lastIndexOf('datasync') < ops.indexOf('rename'), 'all data syncs before the first rename: they ran together');
    const dirSyncs = log.filter(([op]) => op === 'dirsync').map(([, p]) => p);
    assert.ok(ops.indexOf('dirsync') > ops.lastIndexOf('rename'), 'directories synced after the last rename');
    assert.equal(new Set(dirSyncs).size, dirSyncs.length, 'each directory once');
    assert.deepEqual(readManifest(store, tree.root, 'test').length, entries.length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
