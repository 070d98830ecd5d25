// `trove ls DIR` held every file of the directory twice (the manifest's
// entries, then the listed files) and printed them as one string: 645 MB at
// 1,000,000 files. It now prints them as the manifest's pages are read. Memory
// is asserted, never time: the CLI runs in a heap far smaller than the old
// listing of this directory needed, and its output must be complete and the
// same document as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createPointer } from '../../src/core/pointer.js';
import type { ManifestEntry } from '../../src/core/manifest.js';
import { iterateManifest, writeManifest } from '../../src/store/manifestIO.js';
import type { Oid } from '../../src/core/oid.js';
import { readWorkPointer, writeWorkPointer } from '../../src/workspace/pointers/pointers.js';
import { listArtifacts, openRepo } from '../../src/index.js';
import { BIN, createTmpRepo, runJson, type TmpRepo } from '../helpers/tmpRepo.js';

/** The old listing of this many files needed ~70 MB of heap; the streamed one lists 200,000 in 12. */
const FILES = 80_000;
const HEAP_MB = 24;
const fileName = (i: number): string => `d${String(Math.floor(i / 1000)).padStart(3, '0')}/f${String(i).padStart(6, '0')}.bin`;
let repo: TmpRepo;

before(async () => {
  repo = createTmpRepo();
  // A directory version written straight into the store (every file the same content): building it takes a second, not a 80,000-file add.
  const r = await openRepo({ cwd: repo.dir });
  const body = Buffer.from('the same bytes in every file\n');
  const { oid } = r.store.putBytes(body);
  const entries: ManifestEntry[] = [];
  for (let i = 0; i < FILES; i++) entries.push({ path: fileName(i), mode: i % 1000 === 7 ? 'x' : 'f', size: body.length, oid });
  const { root } = writeManifest(r.store, entries);
  await writeWorkPointer(r, 'data', createPointer({ kind: 'dir', oid: root, size: FILES * body.length, files: FILES }));
});

after(() => repo.cleanup());

/** The CLI in a small heap, its whole stdout kept (spawnSync's default buffer is 1 MB). */
function lsSmallHeap(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, BIN, ...args], { cwd: repo.dir, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test(`ls of a ${FILES}-file directory ran out of a ${HEAP_MB} MB heap (every file held); it streams them, every line printed in order`, () => {
  const r = lsSmallHeap('ls', 'data');
  assert.equal(r.code, 0, r.stderr.slice(0, 2000));
  const lines = r.stdout.split('\n');
  assert.equal(lines.pop(), '', 'the output ends with a newline');
  assert.equal(lines.length, FILES);
  assert.match(lines[0]!, /^ +29 B {2}[0-9a-f]{12} {2}data\/d000\/f000000\.bin$/);
  assert.match(lines[FILES - 1]!, /data\/d079\/f079999\.bin$/);
});

test(`ls --json of the same directory in the same heap: the same one-line document as the whole result, written as it is read`, async () => {
  const r = lsSmallHeap('--json', 'ls', 'data');
  assert.equal(r.code, 0, r.stderr.slice(0, 2000));
  const whole = await listArtifacts(await openRepo({ cwd: repo.dir }), { path: 'data' });
  assert.equal(whole.files!.length, FILES);
  assert.equal(r.stdout, JSON.stringify({ version: 1, command: 'ls', ok: true, result: whole }) + '\n', 'byte for byte what JSON.stringify of the collected result gives');
});

test('a folder inside the directory lists only its files; a folder with none is NOT_TRACKED before anything is printed', () => {
  const r = lsSmallHeap('--json', 'ls', 'data/d042');
  assert.equal(r.code, 0, r.stderr);
  const files = JSON.parse(r.stdout).result.files as { path: string; mode: string }[];
  assert.equal(files.length, 1000);
  assert.ok(files.every((f, k) => f.path === `data/${fileName(42_000 + k)}`));
  assert.equal(files[7]!.mode, 'executable');
  const none = runJson(repo.dir, ['ls', 'data/d999']);
  assert.equal(none.error?.code, 'NOT_TRACKED');
});

test('a manifest page missing half-way: the listing stops with OBJECT_MISSING on stderr and a failing exit code, after what it had read', async () => {
  const r = await openRepo({ cwd: repo.dir });
  // The last page read is the leaf of the last files: the listing has printed most of the directory when it reaches it.
  const pages: Oid[] = [];
  for (const _ of iterateManifest({ readObject: (oid, what) => (pages.push(oid), r.store.readObject(oid, what)) }, readWorkPointer(r, 'data')!.oid, 'data'));
  const last = r.store.objectPath(pages[pages.length - 1]!);
  const bytes = readFileSync(last);
  rmSync(last);
  try {
    const j = lsSmallHeap('--json', 'ls', 'data');
    assert.equal(j.code, 1);
    assert.equal(JSON.parse(j.stderr.trim().split('\n').pop()!).error.code, 'OBJECT_MISSING');
    const t = lsSmallHeap('ls', 'data');
    assert.equal(t.code, 1);
    assert.match(t.stderr, /^error: .*data/m);
    assert.ok(t.stdout.split('\n').length > FILES / 2, 'the files read before the missing page were printed');
  } finally {
    writeFileSync(last, bytes);
  }
});
