import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pseudoRandom, runCli } from '../helpers/tmpRepo.js';
import { createTeam, type Clone, type Team } from '../helpers/collab.js';
import { checkoutSample, fetchSample, openRepo, readSamples, sampleSpecFrom, parseSampleSpec, selectSample, TroveError } from '../../src/index.js';
import { stablePick } from '../../src/core/sample.js';
import { parsePointer, type Pointer } from '../../src/core/pointer.js';
import { formatOid } from '../../src/core/oid.js';
import { readManifest, listManifestPages } from '../../src/store/manifestIO.js';
import type { FileEntry } from '../../src/core/manifest.js';
import { serializeEntityRecord } from '../../src/core/entityRecord.js';
import { versionTagMessage } from '../../src/core/versionRecord.js';

function withTeam(fn: (team: Team, remote: string) => void | Promise<void>) {
  return async () => {
    const team = createTeam();
    try {
      await fn(team, join(team.base, 'remote'));
    } finally {
      team.cleanup();
    }
  };
}

const FILES = 60;
const content = (i: number): Buffer => pseudoRandom(1_000 + i * 13, i + 1);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Clone a: `data/` with 60 files in two subdirectories, committed and pushed to origin and to a directory remote. */
function seeded(team: Team, remote: string): Clone {
  const a = team.clone('a');
  assert.equal(runCli(a.dir, ['init']).code, 0);
  for (let i = 0; i < FILES; i++) a.write(`data/${i % 2 ? 'odd' : 'even'}/f${String(i).padStart(3, '0')}.bin`, content(i));
  assert.equal(a.trove('add', 'data').code, 0);
  assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'v1');
  a.git('push', '-q', 'origin', 'main');
  const pushed = a.trove('push');
  assert.equal(pushed.code, 0, pushed.stderr);
  return a;
}

const pointerAt = (c: Clone, rev = 'HEAD'): Pointer => parsePointer(c.git('show', `${rev}:data.trove`), 'data.trove');

/** Files under dir, relative to it, '/'-separated, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? listFiles(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`]))
    .sort();
}

test('sampled checkout downloads only sampled objects', withTeam(async (team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  const repo = await openRepo({ cwd: b.dir });
  const pointer = pointerAt(b);
  const res = await checkoutSample(repo, { path: 'data', pointer, spec: parseSampleSpec('random:1:4'), seed: '7' });
  assert.equal(res.total, FILES);
  assert.equal(res.selected, 15, 'round(1 * 60 / 4)');
  const entries = readManifest(repo.store, pointer.oid, 'data') as FileEntry[];
  const expected = selectSample(entries.map((e) => ({ path: e.path, oid: formatOid(e.oid) })), parseSampleSpec('random:1:4'), '7');
  assert.deepEqual(listFiles(join(b.dir, 'data')), [...expected].sort(), 'only the sampled files are in the work tree');
  // In the clone's store: the sampled files' content, none of the others'.
  for (const e of entries) assert.equal(repo.store.hasFile(e.oid), expected.has(e.path), `${e.path} ${expected.has(e.path) ? 'missing' : 'downloaded'}`);
  // What came from the remote: the listing's pages and the 15 files, nothing else.
  assert.equal(res.fetchedObjects, listManifestPages(repo.store, pointer.oid, 'data').length + 15);
  for (const p of expected) assert.ok(b.read(`data/${p}`).equals(content(Number(/f(\d+)/.exec(p)![1]))), p);
  // The pointer is this version's; status names the rest as not fetched, never deleted.
  assert.equal(readFileSync(join(b.dir, 'data.trove'), 'utf8'), b.git('show', 'HEAD:data.trove'));
  const st = b.trove('status');
  const data = st.result.artifacts.find((x: { path: string }) => x.path === 'data');
  assert.equal(data.notFetched.length, FILES - 15);
  assert.equal(data.changes, undefined);
  // Again: everything is here, nothing is asked of the remote.
  const again = await checkoutSample(repo, { path: 'data', pointer, spec: parseSampleSpec('random:1:4'), seed: '7', fetch: false });
  assert.equal(again.fetchedObjects, 0);
  assert.equal(again.written, 0);
}));

test('fetchSample brings only the sampled objects and leaves the work tree alone', withTeam(async (team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  const repo = await openRepo({ cwd: b.dir });
  const pointer = pointerAt(b);
  const res = await fetchSample(repo, { path: 'data', pointer, spec: sampleSpecFrom('group', '2:10'), seed: '0' });
  assert.equal(res.selected, 12, '6 groups of 10, 2 each');
  const entries = readManifest(repo.store, pointer.oid, 'data') as FileEntry[];
  assert.equal(entries.filter((e) => repo.store.hasFile(e.oid)).length, 12);
  assert.deepEqual(listFiles(join(b.dir, 'data')), [], 'nothing placed');
  assert.equal(readSamples(repo.troveDir).entities.data, undefined);
}));

test('add inside a sampled entity is refused with SAMPLED', withTeam(async (team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  const repo = await openRepo({ cwd: b.dir });
  const res = await checkoutSample(repo, { path: 'data', pointer: pointerAt(b), spec: parseSampleSpec('stable:1:3'), seed: '0', entity: 'mnist', version: 'v1.0.0' });
  assert.deepEqual(readSamples(repo.troveDir).entities.mnist, { version: 'v1.0.0', sample: 'stable:1:3', seed: '0', files: res.selected, path: 'data' });
  b.write('data/odd/new.bin', 'new');
  for (const args of [['add', 'data'], ['add', 'data/odd/new.bin'], ['add', '--allow-deletions', 'data']]) {
    const r = b.trove(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.error.code, 'SAMPLED');
    assert.equal(r.error.hint, 'trove checkout mnist@v1.0.0 --full');
    assert.equal(r.error.data.entity, 'mnist');
    assert.equal(r.error.data.sample, 'stable:1:3');
  }
  assert.equal(b.git('status', '--porcelain', '--', 'data.trove'), '', 'the pointer was not touched');
  // From a subdirectory, the path is resolved against the cwd.
  const sub = runCli(join(b.dir, 'data'), ['add', 'odd']);
  assert.equal(sub.code, 1, sub.stderr);
  assert.match(sub.stderr, /sampled/);
}));

test('a corrupt samples.json does not block add', withTeam(async (team, remote) => {
  const a = seeded(team, remote);
  writeFileSync(join(a.dir, '.trove/tmp/samples.json'), '{"version":1,"entities":{"mnist":');
  a.write('data/even/f000.bin', 'changed');
  const r = a.trove('add', 'data');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /samples\.json is invalid/);
  assert.match(a.git('status', '--porcelain'), /data\.trove/);
}));

test('range sample is the same in two clones', withTeam(async (team, remote) => {
  seeded(team, remote);
  const placed: string[][] = [];
  for (const name of ['b', 'c']) {
    const c = team.clone(name);
    // Clone c runs from a subdirectory: the path is still the repository's.
    if (name === 'c') c.write('sub/keep', '');
    const repo = await openRepo({ cwd: name === 'c' ? join(c.dir, 'sub') : c.dir });
    const res = await checkoutSample(repo, { path: 'data', pointer: pointerAt(c), spec: parseSampleSpec('range:0:all:7') });
    assert.equal(res.seed, '0');
    placed.push(listFiles(join(c.dir, 'data')));
  }
  assert.deepEqual(placed[0], placed[1]);
  // Indices 0, 7, … over the paths in byte order: even/f000, even/f014, … then odd/….
  const sorted = Array.from({ length: FILES }, (_, i) => `${i % 2 ? 'odd' : 'even'}/f${String(i).padStart(3, '0')}.bin`).sort();
  assert.deepEqual(placed[0], sorted.filter((_, i) => i % 7 === 0));
}));

test('stable sample of v2 keeps v1\'s sampled files', withTeam(async (team, remote) => {
  const a = seeded(team, remote);
  // v2: 30 files added, 5 renamed (moved to another subdirectory), pushed.
  for (let i = FILES; i < FILES + 30; i++) a.write(`data/new/f${i}.bin`, content(i));
  // Renamed: 3 files that v1's sample holds and 2 it does not (the file's oid is the sha256 of its bytes).
  const inV1 = (i: number): boolean => stablePick(sha(content(i)), 1, 3, 's');
  const evens = Array.from({ length: FILES / 2 }, (_, k) => 2 * k);
  const renamed = [...evens.filter(inV1).slice(0, 3), ...evens.filter((i) => !inV1(i)).slice(0, 2)];
  assert.equal(renamed.length, 5);
  for (const i of renamed) renameSync(join(a.dir, `data/even/f${String(i).padStart(3, '0')}.bin`), join(a.dir, `data/new/moved${i}.bin`));
  assert.equal(a.trove('add', 'data').code, 0);
  a.git('commit', '-q', '-am', 'v2');
  a.git('push', '-q', 'origin', 'main');
  assert.equal(a.trove('push').code, 0);

  const b = team.clone('b');
  const repo = await openRepo({ cwd: b.dir });
  const spec = parseSampleSpec('stable:1:3');
  const v1 = await checkoutSample(repo, { path: 'data', pointer: pointerAt(b, 'HEAD~1'), spec, seed: 's', entity: 'mnist', version: 'v1.0.0' });
  const v1Contents = new Set(listFiles(join(b.dir, 'data')).map((p) => sha(b.read(`data/${p}`))));
  assert.equal(v1Contents.size, v1.selected);
  const v2 = await checkoutSample(repo, { path: 'data', pointer: pointerAt(b, 'HEAD'), spec, seed: 's', entity: 'mnist', version: 'v2.0.0' });
  const v2Files = listFiles(join(b.dir, 'data'));
  assert.equal(v2Files.length, v2.selected, 'v1 picks not in v2\'s sample were removed');
  const v2Contents = new Set(v2Files.map((p) => sha(b.read(`data/${p}`))));
  for (const h of v1Contents) assert.ok(v2Contents.has(h), `a v1 sampled content ${h.slice(0, 8)} left the v2 sample`);
  // The renamed files v1's sample held are found again at their new paths.
  const renamedPicked = renamed.filter((i) => v1Contents.has(sha(content(i))));
  assert.equal(renamedPicked.length, 3);
  for (const i of renamedPicked) assert.ok(v2Files.includes(`new/moved${i}.bin`), `moved${i}`);
  assert.equal(readSamples(repo.troveDir).entities.mnist?.version, 'v2.0.0');
  // v2's download was only what v1's sample lacked (plus v2's listing).
  assert.ok(v2.fetchedObjects <= v2.selected - v1.selected + listManifestPages(repo.store, pointerAt(b).oid, 'data').length);
}));

test('a sample of a file pointer or of a model is USAGE; a hostile path is UNSAFE_PATH before any write', withTeam(async (team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  const repo = await openRepo({ cwd: b.dir });
  const pointer = pointerAt(b);
  const spec = parseSampleSpec('random:1:4');
  await assert.rejects(checkoutSample(repo, { path: 'data', pointer: { ...pointer, kind: 'file' }, spec }), (err: unknown) => err instanceof TroveError && err.code === 'USAGE' && err.data?.rule === 'not-a-directory');
  await assert.rejects(checkoutSample(repo, { path: 'data', pointer, spec, type: 'model', entity: 'modelmnist' }), (err: unknown) => err instanceof TroveError && err.code === 'USAGE' && err.data?.rule === 'not-a-dataset');
  for (const path of ['../x', '.git/x', '.trove/x', '/abs', 'a/./b']) {
    await assert.rejects(checkoutSample(repo, { path, pointer, spec }), (err: unknown) => err instanceof TroveError && err.code === 'UNSAFE_PATH', path);
  }
  // Through a symlinked parent.
  const { symlinkSync, mkdirSync } = await import('node:fs');
  mkdirSync(join(team.base, 'elsewhere'));
  symlinkSync(join(team.base, 'elsewhere'), join(b.dir, 'linked'));
  await assert.rejects(checkoutSample(repo, { path: 'linked/data', pointer, spec }), (err: unknown) => err instanceof TroveError && err.code === 'UNSAFE_PATH');
  assert.deepEqual(readdirSync(join(team.base, 'elsewhere')), []);
  assert.equal(existsSync(join(b.dir, '.trove/tmp/samples.json')), false);
}));

test('a sampled checkout with --no-fetch and the content not here is OBJECT_MISSING, and nothing is placed', withTeam(async (team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  const repo = await openRepo({ cwd: b.dir });
  await assert.rejects(checkoutSample(repo, { path: 'data', pointer: pointerAt(b), spec: parseSampleSpec('random:1:4'), fetch: false, entity: 'mnist' }), (err: unknown) => err instanceof TroveError && err.code === 'OBJECT_MISSING');
  assert.deepEqual(listFiles(join(b.dir, 'data')), []);
  assert.equal(readSamples(repo.troveDir).entities.mnist, undefined);
}));

/** Declare `mnist` (a dataset at data/) and tag the commit's data as mnist@v1.0.0, as trove version would; pushed with the tag. */
function registerByHand(a: Clone): void {
  const pointer = pointerAt(a);
  a.write('.trove/registry/entities/mnist.yaml', serializeEntityRecord({ format: 1, name: 'mnist', type: 'dataset', categories: ['handwritten', 'digits'], path: 'data', mutability: 'strict', description: '' }));
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'declare mnist');
  const message = versionTagMessage({ format: 1, entity: 'mnist', type: 'dataset', version: 'v1.0.0', path: 'data', dataOid: formatOid(pointer.oid), dataKind: 'dir', dataSize: pointer.size, dataFiles: pointer.files ?? 0, uses: [], metrics: {} });
  a.git('tag', '-a', 'mnist@v1.0.0', '-m', message);
  a.git('push', '-q', 'origin', 'main', '--tags');
}

test('trove fetch NAME@V --sample fetches only the sampled files; without --sample the whole version', withTeam(async (team, remote) => {
  registerByHand(seeded(team, remote));
  const b = team.clone('b');
  const r = b.trove('fetch', 'mnist@v1.0.0', '--sample', 'random:1:4', '--seed', '7');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.result.kind, 'sample');
  assert.equal(r.result.entity, 'mnist');
  assert.equal(r.result.fetch.selected, 15);
  const repo = await openRepo({ cwd: b.dir });
  const entries = readManifest(repo.store, pointerAt(b).oid, 'data') as FileEntry[];
  assert.equal(entries.filter((e) => repo.store.hasFile(e.oid)).length, 15);
  assert.deepEqual(listFiles(join(b.dir, 'data')), [], 'the work tree is not touched');
  // ml-git's spelling, and the ml-git tag as the reference.
  const ml = b.trove('fetch', 'handwritten__digits__mnist__1', '--sample-type', 'group', '--sampling', '2:10');
  assert.equal(ml.code, 0, ml.stderr);
  assert.equal(ml.result.fetch.sample, 'group:2:10');
  assert.equal(ml.result.fetch.selected, 12);
  // Text output names the sample.
  const text = runCli(b.dir, ['fetch', 'mnist@v1.0.0', '--sample', 'range:0:all:30']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /2 of 60 files, range:0:all:30 seed 0/);
  // The whole version.
  const whole = b.trove('fetch', 'mnist@v1.0.0');
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(whole.result.kind, 'whole');
  assert.equal(entries.filter((e) => repo.store.hasFile(e.oid)).length, FILES);
}));

test('trove fetch --sample refusals: a path, two references, an unknown version', withTeam(async (team, remote) => {
  registerByHand(seeded(team, remote));
  const b = team.clone('b');
  const two = b.trove('fetch', 'mnist@v1.0.0', 'data', '--sample', 'random:1:4');
  assert.equal(two.code, 2, two.stderr);
  assert.equal(two.error.data.rule, 'sample-needs-one-version');
  const path = b.trove('fetch', 'data', '--sample', 'random:1:4');
  assert.equal(path.error.code, 'NOT_FOUND');
  const missing = b.trove('fetch', 'mnist@v9.0.0', '--sample', 'random:1:4');
  assert.equal(missing.error.code, 'NOT_FOUND');
  const bad = b.trove('fetch', 'mnist@v1.0.0', '--sample', 'random:5:4');
  assert.equal(bad.code, 2);
  assert.equal(bad.error.data.rule, 'amount-smaller-frequency');
  // A plain path fetch is unchanged.
  const plain = b.trove('fetch', 'data/odd/f001.bin');
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.result.objects > 0, true);
}));

test('a sampled checkout over local changes outside the sample is DIRTY; with force they are saved first, then removed', withTeam(async (team, remote) => {
  const a = seeded(team, remote);
  const repo = await openRepo({ cwd: a.dir });
  const pointer = pointerAt(a);
  const spec = parseSampleSpec('range:0:all:2');
  const entries = readManifest(repo.store, pointer.oid, 'data') as FileEntry[];
  const chosen = selectSample(entries.map((e) => ({ path: e.path, oid: formatOid(e.oid) })), spec, '0');
  const outside = entries.find((e) => !chosen.has(e.path))!.path;
  a.write(`data/${outside}`, 'local edit, never added');
  await assert.rejects(checkoutSample(repo, { path: 'data', pointer, spec }), (err: unknown) => err instanceof TroveError && err.code === 'DIRTY' && (err.data?.paths as string[]).includes(`data/${outside}`));
  assert.equal(a.read(`data/${outside}`).toString(), 'local edit, never added', 'nothing was removed');
  const res = await checkoutSample(repo, { path: 'data', pointer, spec, force: true });
  assert.equal(res.deleted, FILES - chosen.size);
  assert.deepEqual(listFiles(join(a.dir, 'data')), [...chosen].sort());
  const saved = a.trove('saved');
  assert.equal(saved.code, 0, saved.stderr);
  assert.match(JSON.stringify(saved.result), new RegExp(`data/${outside}`));
}));
