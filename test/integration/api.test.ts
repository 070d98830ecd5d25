import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openRepo, add, status, checkout, diff, ls, init, isTroveError, remote, push, pull, remoteStatus, fsckRemote, gcRemote, mv, rm, log, show, get, importArtifact, type Reporter } from '../../src/index.js';
import { createTmpRepo, pseudoRandom, unpackStore } from '../helpers/tmpRepo.js';

test('the library API is the same code path as the CLI: init, add, status, checkout, diff, ls', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    assert.equal((await init({ cwd: repo.dir })).created, true);
    repo.write('data/a.csv', '1');
    repo.write('model.pt', 'w1');
    const events: string[] = [];
    const reporter: Reporter = { start: (t) => void events.push(`start:${t}`), advance() {}, end: () => void events.push('end'), warn: (m) => void events.push(`warn:${m}`) };
    const r = await openRepo({ cwd: repo.dir, reporter });
    const added = await add(r, { paths: ['data', 'model.pt'] });
    assert.deepEqual(added.artifacts.map((a) => a.path), ['data', 'model.pt']);
    assert.ok(events.some((e) => e.startsWith('start:Adding')), 'progress goes to the injected reporter');
    repo.git('commit', '-qm', 'v1');
    rmSync(join(repo.dir, 'model.pt'));
    assert.equal((await status(r)).artifacts.find((a) => a.path === 'model.pt')?.state, 'missing');
    await checkout(r, { paths: ['model.pt'] });
    assert.equal(readFileSync(join(repo.dir, 'model.pt'), 'utf8'), 'w1');
    assert.equal((await diff(r)).artifacts.length, 0);
    assert.equal((await ls(r, { path: 'data' })).files?.[0]?.path, 'data/a.csv');
  } finally {
    repo.cleanup();
  }
});

test('library errors are typed TroveErrors with a code and a hint, never process exits', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    await assert.rejects(openRepo({ cwd: repo.dir }), (err: unknown) => isTroveError(err, 'NOT_INITIALIZED') && typeof err.hint === 'string');
    await init({ cwd: repo.dir });
    const r = await openRepo({ cwd: repo.dir });
    await assert.rejects(add(r, { paths: [] }), (err: unknown) => isTroveError(err, 'USAGE'));
    await assert.rejects(checkout(r, { rev: 'nope' }), (err: unknown) => isTroveError(err, 'NOT_FOUND'));
  } finally {
    repo.cleanup();
  }
});

test('the library drives remotes too: remote.add, push, remoteStatus, pull, fsckRemote, gcRemote', async () => {
  const repo = createTmpRepo();
  try {
    const model = pseudoRandom(2 * 1024 * 1024 + 1, 9);
    repo.write('models/m.bin', model);
    const r = await openRepo({ cwd: repo.dir });
    await add(r, { paths: ['models/m.bin'] });
    repo.git('commit', '-qm', 'v1');
    await remote.add(r, 'store', join(repo.dir, '..', `${repo.dir.split('/').pop()}-remote`), { makeDefault: true });
    const r2 = await openRepo({ cwd: repo.dir });
    assert.equal(remote.getDefault(r2), 'store');
    assert.equal((await remoteStatus(r2)).inSync, false);
    const pushed = await push(r2);
    assert.ok(pushed.objects >= 3, 'chunks and the chunk list went up');
    assert.equal((await remoteStatus(r2)).inSync, true);
    rmSync(join(repo.dir, '.trove', 'cache'), { recursive: true, force: true });
    rmSync(join(repo.dir, 'models', 'm.bin'));
    const r3 = await openRepo({ cwd: repo.dir });
    await pull(r3);
    assert.ok(readFileSync(join(repo.dir, 'models', 'm.bin')).equals(model));
    assert.equal((await fsckRemote(r3, { thorough: true })).corruptPacks.length, 0);
    const g = await gcRemote(r3, { dryRun: true, graceMs: 0 });
    assert.equal(g.deadObjects, 0, 'everything on the remote is live');
  } finally {
    rmSync(join(repo.dir, '..', `${repo.dir.split('/').pop()}-remote`), { recursive: true, force: true });
    repo.cleanup();
  }
});

test('the fetch progress total of a large chunked file counts its chunks, not only its chunk list (was 500 MiB/136 KiB)', async () => {
  const repo = createTmpRepo();
  const remoteDir = `${repo.dir}-remote`;
  try {
    repo.write('big.bin', pseudoRandom(6 * 1024 * 1024 + 11, 5));
    repo.write('small.bin', 'small');
    const seed = await openRepo({ cwd: repo.dir });
    await add(seed, { paths: ['big.bin', 'small.bin'] });
    await remote.add(seed, 'store', remoteDir, { makeDefault: true });
    await push(seed, {});
    unpackStore(join(repo.dir, '.trove/cache'));
    rmSync(join(repo.dir, '.trove/cache/objects'), { recursive: true, force: true });
    rmSync(join(repo.dir, 'big.bin'));
    rmSync(join(repo.dir, 'small.bin'));
    const tasks: { task: string; total: number | undefined; done: number }[] = [];
    const reporter: Reporter = { start: (task, total) => void tasks.push({ task, total, done: 0 }), advance: (n) => void (tasks.at(-1) && (tasks.at(-1)!.done += n)), end() {}, warn() {} };
    await pull(await openRepo({ cwd: repo.dir, reporter }), {});
    const fetch = tasks.find((t) => t.task === 'fetch');
    assert.ok(fetch, 'a fetch task was reported');
    assert.ok((fetch.total ?? 0) >= 6 * 1024 * 1024, `total ${fetch.total} covers the big file's chunks`);
    assert.equal(fetch.done, fetch.total, 'the bar ends exactly at its total');
  } finally {
    repo.cleanup();
    rmSync(remoteDir, { recursive: true, force: true });
  }
});

test('a library call with a missing or mistyped option is a USAGE TroveError naming the option, with a hint, not a bare TypeError', async () => {
  const repo = createTmpRepo();
  try {
    const r = await openRepo({ cwd: repo.dir });
    const calls: [string, () => Promise<unknown>, string][] = [
      ['add without options', () => (add as any)(r), 'paths'],
      ['add with paths as a string', () => add(r, { paths: 'data' as any }), 'paths'],
      ['mv without to', () => (mv as any)(r, { from: 'a' }), 'to'],
      ['rm without paths', () => (rm as any)(r, {}), 'paths'],
      ['log without path', () => (log as any)(r, {}), 'path'],
      ['show without rev', () => (show as any)(r, {}), 'rev'],
      ['get without url', () => (get as any)({ path: 'x' }), 'url'],
      ['importArtifact without path', () => (importArtifact as any)(r, { url: repo.dir }), 'path'],
      ['push with paths as a string', () => push(r, { paths: 'models' as any }), 'paths'],
      ['remote.add without url', () => (remote.add as any)(r, 'store'), 'url'],
    ];
    for (const [what, call, option] of calls) {
      await assert.rejects(call(), (err: unknown) => isTroveError(err, 'USAGE') && (err.data as any)?.option === option && typeof err.hint === 'string' && err.hint.includes(option), what);
    }
    await assert.rejects((status as any)(undefined), (err: unknown) => isTroveError(err, 'USAGE') && /openRepo/.test(err.hint ?? ''), 'no repository');
  } finally {
    repo.cleanup();
  }
});
