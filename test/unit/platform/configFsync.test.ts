import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/platform/config.js';

function troveDir(core: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'trove-cfg-'));
  writeFileSync(join(dir, 'config.yaml'), `version: 1\ncore:\n${core}`);
  return dir;
}

test('the store is durable by default (core.fsync true)', () => {
  const dir = troveDir('  cache: cache\n');
  try {
    assert.equal(loadConfig(dir, {}).core.fsync, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('core.fsync: false, or TROVE_FSYNC=0, turns syncing off for scratch work; TROVE_FSYNC=1 turns it back on', () => {
  const off = troveDir('  fsync: false\n');
  const on = troveDir('  fsync: true\n');
  try {
    assert.equal(loadConfig(off, {}).core.fsync, false);
    assert.equal(loadConfig(on, { TROVE_FSYNC: '0' }).core.fsync, false);
    assert.equal(loadConfig(off, { TROVE_FSYNC: '1' }).core.fsync, true);
  } finally {
    rmSync(off, { recursive: true, force: true });
    rmSync(on, { recursive: true, force: true });
  }
});

test('a typo in core.fsync does not silently turn durability off: it is a CONFIG error', () => {
  const dir = troveDir('  fsync: "no thanks"\n');
  try {
    assert.throws(() => loadConfig(dir, {}), (err: any) => err.code === 'CONFIG' && /core\.fsync/.test(err.message) && typeof err.hint === 'string');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a typo in TROVE_FSYNC does not silently turn durability off: it is a usage error with a hint', () => {
  const dir = troveDir('  cache: cache\n');
  try {
    assert.throws(() => loadConfig(dir, { TROVE_FSYNC: 'of' }), (err: any) => err.code === 'USAGE' && err.data?.variable === 'TROVE_FSYNC' && /TROVE_FSYNC=0/.test(err.hint));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
