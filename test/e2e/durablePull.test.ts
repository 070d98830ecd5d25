import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pseudoRandom, runJson } from '../helpers/tmpRepo.js';
import { createTeam } from '../helpers/collab.js';

// A pull of many objects used to sync each object on its own (+50 % on W2's
// pull). Now it writes them as temps and renames them after a syncfs of the
// store's file system (`sync -f`), as add does. These tests put a `sync`
// shim first on PATH that logs every call (and runs the real one, or fails)
// and check what the pull did with the real binary, real threads and a real
// directory remote.

/** A directory holding a `sync` that logs its arguments to `log`, then runs the real sync (or exits 1 when `fail`). */
function syncShim(dir: string, fail: boolean): { path: string; log: string } {
  const bin = join(dir, 'shim-bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, 'sync.log');
  writeFileSync(join(bin, 'sync'), `#!/bin/sh\necho "$*" >> '${log}'\n${fail ? 'exit 1' : 'exec /usr/bin/env -i PATH=/usr/bin:/bin sync "$@"'}\n`);
  chmodSync(join(bin, 'sync'), 0o755);
  return { path: `${bin}:${process.env.PATH}`, log };
}

function readLog(log: string): string[] {
  try {
    return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

const temps = (store: string): string[] => readdirSync(store, { recursive: true }).map(String).filter((n) => basename(n).startsWith('.') && basename(n).includes('.tmp-'));

// 100 files of 100 KiB: the store threads are not started (under 16 MiB), the main thread writes.
// 80 files of 256 KiB: 20 MiB, written by the store threads.
// Both above 64 KiB, so loose: smaller files now arrive in a local pack, synced as one file
// (remoteDirectory's fresh-clone test); before packs, this case was 300 files of 2 KiB.
for (const [label, count, size] of [['main thread', 100, 100 * 1024], ['store threads', 80, 256 * 1024]] as const) {
  for (const fail of [false, true]) {
    test(`a pull of many objects synced each one alone (${label}): it makes them durable with syncfs of the store${fail ? '; a failing sync command falls back to a sync per object and the pull still succeeds' : ''}`, () => {
      const team = createTeam();
      try {
        const files: Buffer[] = [];
        const a = team.clone('a');
        assert.equal(a.trove('init').code, 0);
        for (let i = 0; i < count; i++) {
          files.push(pseudoRandom(size - (i % 7), 1000 + i));
          a.write(`data/d${i % 5}/f${i}.bin`, files[i]!);
        }
        assert.equal(a.trove('add', 'data').code, 0);
        assert.equal(a.trove('remote', 'add', '-d', 'store', join(team.base, 'remote')).code, 0);
        a.git('add', '-A');
        a.git('commit', '-q', '-m', 'v1');
        a.git('push', '-q', 'origin', 'main');
        assert.equal(a.trove('push').code, 0);

        const b = team.clone('b');
        const shim = syncShim(team.base, fail);
        const r = runJson(b.dir, ['pull'], { PATH: shim.path });
        assert.equal(r.code, 0, r.stderr);
        const store = join(b.dir, '.trove', 'cache');
        const calls = readLog(shim.log);
        assert.ok(calls.some((c) => c === `-f ${store}`), `sync -f of the store ran (calls: ${JSON.stringify(calls)})`);
        for (let i = 0; i < count; i++) assert.ok(b.read(`data/d${i % 5}/f${i}.bin`).equals(files[i]!), `f${i} identical`);
        assert.deepEqual(temps(store), [], 'no temp file is left in the store');
        const fsck = runJson(b.dir, ['fsck']);
        assert.equal(fsck.code, 0, fsck.stderr);
      } finally {
        team.cleanup();
      }
    });
  }
}
