// The threaded stat scan (scanThreaded + scanWorker) against the
// single-threaded one: same chunks, signatures, files, skipped entries and
// errors, over trees whose names sort around '/' and whose chunks cross the
// ranges the threads split the top level into.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroveError } from '../../../src/errors/index.js';
import { scanChunks, shortPathRetries, type ScanChunk } from '../../../src/workspace/scan/scanChunks.js';
import { scanThreads } from '../../../src/workspace/scan/scanThreaded.js';
import { declareStableCwd, shortDirPrefix, undeclareStableCwd } from '../../../src/util/cwdRelative.js';

const TRICKY = ['a', 'a-b', 'a.b', 'a0', 'ab', 'a b', 'A', 'é', 'e\u0301', 'z', '\u{1F600}', '\uFF61', 'a~', '_', '-'];
const OLD = new Date('2024-01-01T00:00:00Z');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'trove-threaded-'));
}

function file(path: string, body: string): void {
  writeFileSync(path, body);
  utimesSync(path, OLD, OLD); // not racy: every chunk is signed, so signatures are compared too
}

/** A tree of tricky names: files and directories at the top level and below, empty dirs, links, a store link, a fifo, and enough files that chunks cross the threads' ranges. */
function trickyTree(dir: string, store: string): void {
  for (const [i, n] of TRICKY.entries()) {
    if (i % 2 === 0) file(join(dir, n), n);
    else {
      mkdirSync(join(dir, n));
      for (const m of TRICKY) file(join(dir, n, m), m.repeat(i));
      mkdirSync(join(dir, n, 'sub'));
      file(join(dir, n, 'sub', 'x'), '');
      file(join(dir, n, 'sub-'), '');
      mkdirSync(join(dir, n, 'empty'));
    }
  }
  for (let d = 0; d < 40; d++) {
    const sub = join(dir, `d${String(d).padStart(2, '0')}`);
    mkdirSync(sub);
    for (let f = 0; f < 120; f++) file(join(sub, `f${f}.bin`), `${d}/${f}`);
  }
  mkdirSync(join(dir, 'empty-top'));
  file(join(dir, 'new\nline'), 'a name holding a newline');
  symlinkSync('a', join(dir, 'a-link'));
  symlinkSync('../a\nb', join(dir, 'a-b', 'link-with-newline'));
  mkdirSync(join(store, 'sha256', 'ab'), { recursive: true });
  writeFileSync(join(store, 'sha256', 'ab', 'c'.repeat(62)), 'stored');
  symlinkSync(join(store, 'sha256', 'ab', 'c'.repeat(62)), join(dir, 'd07', 'stored'));
  execFileSync('mkfifo', [join(dir, 'd21', 'fifo')]);
}

function shape(chunks: ScanChunk[]): unknown[] {
  return chunks.map((c) => ({ first: c.first, count: c.count, size: c.size, sig: c.sig, files: c.files }));
}

test('the threaded scan yields exactly the single-threaded chunks and signatures (tricky names, 2, 3 and 7 threads)', () => {
  const dir = tmp();
  const store = tmp();
  try {
    trickyTree(dir, store);
    const skipped1: string[] = [];
    const one = [...scanChunks(dir, 'data', store, { skipped: skipped1 })];
    assert.ok(one.length > 4 && one.every((c) => c.sig !== undefined), `${one.length} chunks, all signed`);
    assert.ok(one.flatMap((c) => c.files).some((f) => f.knownHex === 'ab' + 'c'.repeat(62)), 'the store link is known');
    assert.deepEqual(skipped1, ['d21/fifo']);
    for (const threads of [2, 3, 7]) {
      for (const workersOnly of [false, true]) {
        const skipped: string[] = [];
        const many = [...scanChunks(dir, 'data', store, { skipped, threads, workersOnly })];
        assert.deepStrictEqual(shape(many), shape(one), `${threads} threads${workersOnly ? ', every range walked by a worker' : ''}`);
        assert.deepEqual(skipped, skipped1);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(store, { recursive: true, force: true });
  }
});

test('a worker that posts in the middle of a range loses none of it: every post, then the rest of the range (workers posting after each chunk, 2 and 3 threads)', () => {
  // A worker gathers 256 KiB of scan records before it posts: these trees never reach that, so here it posts after every chunk.
  const dir = tmp();
  const store = tmp();
  try {
    trickyTree(dir, store);
    const one = shape([...scanChunks(dir, 'data', store)]);
    for (const threads of [2, 3]) {
      for (const postBytes of [1, 2000]) {
        const many = [...scanChunks(dir, 'data', store, { threads, workersOnly: true, postBytes })];
        assert.deepStrictEqual(shape(many), one, `${threads} threads, a post every ${postBytes} bytes`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(store, { recursive: true, force: true });
  }
});

test('with the working directory declared stable (the CLI), the scan stats short relative paths and yields exactly what the absolute scan yields, on 1, 2 and 3 threads, from the directory, above it and outside it', () => {
  const dir = tmp();
  const store = tmp();
  const cwd = process.cwd();
  try {
    mkdirSync(join(dir, 'data'));
    trickyTree(join(dir, 'data'), store);
    const abs = join(dir, 'data');
    const want = shape([...scanChunks(abs, 'data', store)]);
    declareStableCwd();
    for (const [at, prefix] of [[abs, ''], [dir, 'data/'], [store, `${abs}/`]] as const) {
      process.chdir(at);
      assert.equal(shortDirPrefix(abs), prefix, `from ${at}`);
      for (const threads of [1, 2, 3]) {
        shortPathRetries.count = 0;
        assert.deepStrictEqual(shape([...scanChunks(abs, 'data', store, { threads, workersOnly: threads === 3 })]), want, `from ${at}, ${threads} thread(s)`);
        // a wrong prefix would still scan right (each failed look-up is made again by absolute path), so count those
        assert.equal(shortPathRetries.count, 0, `the main thread's look-ups by short path all worked, from ${at}, ${threads} thread(s)`);
      }
    }
    undeclareStableCwd();
    process.chdir(dir);
    assert.equal(shortDirPrefix(abs), `${abs}/`, 'undeclared (a library caller): always absolute');
  } finally {
    undeclareStableCwd();
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
    rmSync(store, { recursive: true, force: true });
  }
});

test('a racy file in a worker\'s range leaves its chunk unsigned, as on one thread', () => {
  const dir = tmp();
  try {
    for (let d = 0; d < 16; d++) {
      mkdirSync(join(dir, `d${d.toString(16)}`));
      for (let f = 0; f < 64; f++) file(join(dir, `d${d.toString(16)}`, `f${f}`), '');
    }
    writeFileSync(join(dir, 'df', 'f9'), 'now'); // the last range: a worker's
    // The clock as the scan reads it: just after the new file's mtime (the worker's files are judged by the reading taken before it started).
    const written = statSync(join(dir, 'df', 'f9')).mtimeMs;
    const now = (): number => written + 1;
    const one = [...scanChunks(dir, 'data', undefined, { now })];
    const two = [...scanChunks(dir, 'data', undefined, { now, threads: 2, workersOnly: true })];
    assert.deepEqual(two.map((c) => c.sig), one.map((c) => c.sig));
    assert.equal(one.filter((c) => c.sig === undefined).length, 1, 'the chunk holding the new file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a symlink out of the repository in a worker\'s range fails the threaded scan as it fails the single one, after the same chunks', () => {
  const dir = tmp();
  try {
    for (let d = 0; d < 16; d++) {
      mkdirSync(join(dir, `d${d.toString(16)}`));
      for (let f = 0; f < 64; f++) file(join(dir, `d${d.toString(16)}`, `f${f}`), '');
    }
    symlinkSync('/etc/passwd', join(dir, 'de', 'escape'));
    const run = (threads: number, workersOnly = true): { before: string[]; err: unknown } => {
      const before: string[] = [];
      try {
        for (const c of scanChunks(dir, 'data', undefined, { threads, workersOnly })) before.push(c.first);
      } catch (err) {
        return { before, err };
      }
      return { before, err: undefined };
    };
    const one = run(1);
    const two = run(2);
    assert.ok(one.err instanceof TroveError && one.err.code === 'UNSAFE_PATH');
    assert.ok(two.err instanceof TroveError, 'a TroveError across the thread');
    assert.equal((two.err as TroveError).code, 'UNSAFE_PATH');
    assert.equal((two.err as TroveError).message, (one.err as TroveError).message);
    assert.deepEqual((two.err as TroveError).data, (one.err as TroveError).data);
    assert.deepEqual(two.before, one.before);
    // The main thread walking too (the failing range may be its own, walked ahead, or a worker's): the same error after the same chunks.
    for (const threads of [2, 3]) {
      const mixed = run(threads, false);
      assert.ok(mixed.err instanceof TroveError && mixed.err.code === 'UNSAFE_PATH', `${threads} threads`);
      assert.deepEqual(mixed.before, one.before);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a caller that stops early ends the scan workers (the generator returns; nothing hangs)', () => {
  const dir = tmp();
  try {
    for (let d = 0; d < 16; d++) {
      mkdirSync(join(dir, `d${d}`));
      for (let f = 0; f < 64; f++) file(join(dir, `d${d}`, `f${f}`), '');
    }
    const first = scanChunks(dir, 'data', undefined, { threads: 3 }).next();
    assert.equal(first.done, false);
    let n = 0;
    for (const c of scanChunks(dir, 'data', undefined, { threads: 3, workersOnly: true })) if ((n += c.count) > 300) break;
    assert.ok(n > 300);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scanThreads: one thread below TROVE_SCAN_THREADS_MIN files, core.jobs above it; a bad value is a USAGE error', () => {
  assert.equal(scanThreads(4, 19_999, {}), 1);
  assert.equal(scanThreads(4, 20_000, {}), 4);
  assert.equal(scanThreads(1, 1e6, {}), 1);
  assert.ok(scanThreads(0, 1e6, {}) >= 1);
  assert.equal(scanThreads(2, 10, { TROVE_SCAN_THREADS_MIN: '0' }), 2);
  assert.throws(() => scanThreads(2, 10, { TROVE_SCAN_THREADS_MIN: 'lots' }), (e: unknown) => e instanceof TroveError && e.code === 'USAGE');
});

test('a directory removed mid-scan: the threaded scan ends as the single one would (the full listing, or ENOENT after the same chunks), never hangs', () => {
  const dir = tmp();
  try {
    for (let d = 0; d < 16; d++) {
      mkdirSync(join(dir, `d${d.toString(16)}`));
      for (let f = 0; f < 64; f++) file(join(dir, `d${d.toString(16)}`, `f${f}`), '');
    }
    const full = [...scanChunks(dir, 'data', undefined)];
    const seen: ScanChunk[] = [];
    let err: unknown;
    try {
      for (const c of scanChunks(dir, 'data', undefined, { threads: 2, workersOnly: true })) {
        if (seen.length === 0) rmSync(join(dir, 'df'), { recursive: true }); // the last range: walked already, or not yet
        seen.push(c);
      }
    } catch (e) {
      err = e;
    }
    if (err === undefined) assert.deepStrictEqual(shape(seen), shape(full), 'walked before the removal: the full listing');
    else {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOENT', 'the fs error crosses the thread with its code');
      assert.deepStrictEqual(shape(seen), shape(full).slice(0, seen.length), 'the chunks before it are the full scan\'s');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
