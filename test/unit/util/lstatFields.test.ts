// lstatFields reads lstat's numbers from Node's fs binding (no fs.Stats, no
// Dates) only while they are exactly lstatSync's: the scan compares mtimeMs
// with the work index's rows, so one differing bit would make every file look
// changed, or worse, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLinkMode, lstatFields, lstatFieldsFast, resetLstatFields } from '../../../src/util/lstatFields.js';

function tree(): { dir: string; paths: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'trove-lstat-'));
  const paths: string[] = [];
  for (let k = 0; k < 50; k++) {
    const p = join(dir, `f${k}`);
    writeFileSync(p, 'x'.repeat(k * 37));
    // fractional seconds that do not round-trip through a float exactly, and dates before 1970
    utimesSync(p, 1_700_000_000.123456 + k * 0.000789, k % 5 === 0 ? -86_400.5 : 1_600_000_000 + k / 7);
    if (k % 3 === 0) chmodSync(p, 0o755);
    paths.push(p);
  }
  mkdirSync(join(dir, 'sub'));
  symlinkSync('f1', join(dir, 'link'));
  symlinkSync('/nowhere/at/all', join(dir, 'dangling'));
  paths.push(join(dir, 'sub'), join(dir, 'link'), join(dir, 'dangling'), dir);
  return { dir, paths };
}

function viaStats(p: string): { mode: number; ino: number; size: number; mtimeMs: number } {
  const st = lstatSync(p);
  return { mode: st.mode, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

test('lstatFields gives exactly lstatSync\'s mode, inode, size and mtimeMs (files, executables, dirs, links, odd mtimes), from the binding on this Node', () => {
  const { dir, paths } = tree();
  try {
    resetLstatFields();
    for (const p of paths) assert.deepEqual({ ...lstatFields(p) }, viaStats(p), p);
    assert.equal(lstatFieldsFast(), true, 'the binding passed its probe: the fast path is what the scan uses here');
    assert.equal(isLinkMode(lstatFields(join(dir, 'link')).mode), true);
    assert.equal(isLinkMode(lstatFields(join(dir, 'f1')).mode), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TROVE_FAST_LSTAT=0 turns the binding off: the same numbers, from lstatSync', () => {
  const { dir, paths } = tree();
  const before = process.env.TROVE_FAST_LSTAT;
  try {
    process.env.TROVE_FAST_LSTAT = '0';
    resetLstatFields();
    for (const p of paths) assert.deepEqual({ ...lstatFields(p) }, viaStats(p), p);
    assert.equal(lstatFieldsFast(), false);
  } finally {
    if (before === undefined) delete process.env.TROVE_FAST_LSTAT;
    else process.env.TROVE_FAST_LSTAT = before;
    resetLstatFields();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a path that is not there throws lstatSync\'s ENOENT naming it, on the fast path and before the probe has run', () => {
  const { dir } = tree();
  try {
    const missing = join(dir, 'gone');
    resetLstatFields();
    // the first call probes: a missing path leaves the question open, and throws as lstatSync does
    assert.throws(() => lstatFields(missing), (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.syscall === 'lstat' && e.path === missing);
    assert.equal(lstatFieldsFast(), undefined, 'a probe on a missing path decides nothing');
    lstatFields(join(dir, 'f2'));
    assert.equal(lstatFieldsFast(), true);
    assert.throws(() => lstatFields(missing), (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.syscall === 'lstat' && e.path === missing);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
