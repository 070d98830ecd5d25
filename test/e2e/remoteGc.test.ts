import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pseudoRandom } from '../helpers/tmpRepo.js';
import { createTeam, type Clone, type Team } from '../helpers/collab.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** name → { size, hexes } of every pack on a directory remote, and the orphans (pack without index). */
function remotePacks(remote: string): { indexed: Map<string, { size: number; hexes: Set<string> }>; orphans: string[]; bytes: number } {
  const dir = join(remote, 'packs');
  const names = readdirSync(dir);
  const indexed = new Map<string, { size: number; hexes: Set<string> }>();
  let bytes = 0;
  for (const n of names) {
    bytes += statSync(join(dir, n)).size;
    const m = /^([0-9a-f]{64})\.idx$/.exec(n);
    if (!m) continue;
    const hexes = new Set(readFileSync(join(dir, n), 'utf8').split('\n').filter((l) => /^[of] /.test(l)).map((l) => l.split(' ')[1]!));
    indexed.set(m[1]!, { size: statSync(join(dir, `${m[1]}.pack`)).size, hexes });
  }
  const orphans = names.filter((n) => n.endsWith('.pack') && !indexed.has(n.slice(0, 64))).map((n) => n.slice(0, 64));
  return { indexed, orphans, bytes };
}
const onRemote = (remote: string, hex: string): boolean => [...remotePacks(remote).indexed.values()].some((p) => p.hexes.has(hex));

interface Scene {
  team: Team;
  remote: string;
  a: Clone;
  files: Record<string, Buffer>;
  keep: Buffer;
  dead: Buffer;
  deadBig: Buffer;
}

/**
 * main: data/ (20 small files) and a chunked model, pushed. Branch exp, pushed
 * in two steps: (1) a big scratch file + notes/keep.bin, (2) a dead small file.
 * keep.bin is then committed on main too (same bytes), exp is deleted and its
 * reflog expired: pack (1) is mostly dead, pack (2) wholly dead.
 */
function scene(team: Team): Scene {
  const remote = join(team.base, 'remote');
  const a = team.clone('a');
  assert.equal(a.trove('init').code, 0);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 20; i++) files[`data/f${i}.bin`] = pseudoRandom(3000 + i * 100, i + 1);
  files['models/m.bin'] = pseudoRandom(3 * 1024 * 1024 + 17, 99);
  for (const [p, d] of Object.entries(files)) a.write(p, d);
  assert.equal(a.trove('add', 'data', 'models/m.bin').code, 0);
  assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'v1');
  assert.equal(a.trove('push').code, 0);

  const keep = pseudoRandom(2000, 5);
  const deadBig = pseudoRandom(2 * 1024 * 1024 + 3, 6);
  const dead = pseudoRandom(500_000, 7);
  a.git('checkout', '-q', '-b', 'exp');
  a.write('notes/keep.bin', keep);
  a.write('scratch/big.bin', deadBig);
  assert.equal(a.trove('add', 'notes/keep.bin', 'scratch/big.bin').code, 0);
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'exp 1');
  assert.equal(a.trove('push').code, 0);
  a.write('scratch/other.bin', dead);
  assert.equal(a.trove('add', 'scratch/other.bin').code, 0);
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'exp 2');
  assert.equal(a.trove('push').code, 0);

  a.git('checkout', '-q', 'main');
  // The branch's data files stay behind as untracked files after the switch: not part of main.
  rmSync(join(a.dir, 'scratch'), { recursive: true, force: true });
  a.write('notes/keep.bin', keep);
  assert.equal(a.trove('add', 'notes/keep.bin').code, 0);
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'keep notes');
  a.git('push', '-q', 'origin', 'main');
  a.git('branch', '-D', 'exp');
  a.git('reflog', 'expire', '--expire=now', '--all');
  return { team, remote, a, files: { ...files, 'notes/keep.bin': keep }, keep, dead, deadBig };
}

function withScene(fn: (s: Scene) => void) {
  return () => {
    const team = createTeam();
    try {
      fn(scene(team));
    } finally {
      team.cleanup();
    }
  };
}

const TWO_DAYS_AGO = (Date.now() - 2 * 86_400_000) / 1000;

/** Make every push claim on a directory remote two days old: past the default grace, it keeps nothing alive. */
function backdateClaims(remote: string): void {
  for (const n of readdirSync(join(remote, 'claims'))) utimesSync(join(remote, 'claims', n), TWO_DAYS_AGO, TWO_DAYS_AGO);
}

test('gc -r removes wholly dead packs, re-packs mostly dead ones and old orphans, keeps every live object; a fresh clone still pulls everything', withScene(({ team, remote, a, files, keep, dead }) => {
  const before = remotePacks(remote);
  assert.ok(onRemote(remote, sha(dead)) && onRemote(remote, sha(keep)));
  // Every pack and push claim is young (just pushed): backdate them past the default grace of a day, plus two orphans.
  for (const n of readdirSync(join(remote, 'packs'))) utimesSync(join(remote, 'packs', n), TWO_DAYS_AGO, TWO_DAYS_AGO);
  backdateClaims(remote);
  const oldOrphan = 'a'.repeat(64);
  const youngOrphan = 'b'.repeat(64);
  writeFileSync(join(remote, 'packs', `${oldOrphan}.pack`), pseudoRandom(1000, 3));
  utimesSync(join(remote, 'packs', `${oldOrphan}.pack`), TWO_DAYS_AGO, TWO_DAYS_AGO);
  writeFileSync(join(remote, 'packs', `${youngOrphan}.pack`), pseudoRandom(1000, 4));

  // Never by default: a local gc does not touch the remote.
  assert.equal(a.trove('gc').code, 0);
  assert.equal(remotePacks(remote).bytes, before.bytes + 2000);

  const dry = a.trove('gc', '-r', 'store', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.result.remote.dryRun, true);
  // Metadata and data are packed apart: exp 1's chunk list of the dead big file has a pack of its own.
  assert.equal(dry.result.remote.deletedPacks.length, 2, 'the pack holding only exp 2, and the metadata pack of exp 1 (the dead big file\'s chunk list), are wholly dead');
  assert.equal(dry.result.remote.repackedPacks.length, 1, 'the pack of exp 1 keeps only notes/keep.bin');
  assert.deepEqual(dry.result.remote.orphanPacks, [oldOrphan], 'the young orphan may be a push under way');
  assert.equal(remotePacks(remote).bytes, before.bytes + 2000, 'a dry run changes nothing');

  const r = a.trove('gc', '-r', 'store');
  assert.equal(r.code, 0, r.stderr);
  const after = remotePacks(remote);
  assert.ok(!onRemote(remote, sha(dead)), 'the dead file is gone from every index');
  assert.ok(onRemote(remote, sha(keep)), 'the live file moved to the new pack');
  assert.ok(dry.result.remote.deletedPacks.every((p: string) => !after.indexed.has(p)) && !after.indexed.has(dry.result.remote.repackedPacks[0].from));
  assert.deepEqual(after.orphans, [youngOrphan]);
  assert.ok(before.bytes - after.bytes > 2 * 1024 * 1024, `freed ${before.bytes - after.bytes} bytes`);
  assert.equal(r.result.remote.freedBytes, before.bytes + 2000 - after.bytes, 'freedBytes is what the remote lost');
  const listed = readFileSync(join(remote, 'packs.list'), 'utf8').split('\n').filter(Boolean).sort();
  assert.deepEqual(listed, [...after.indexed.keys()].sort(), 'packs.list names exactly the indexed packs (HTTP readers)');

  assert.equal(a.trove('fsck', '-r', 'store', '--thorough').code, 0);
  const b = team.clone('b');
  const pulled = b.trove('pull');
  assert.equal(pulled.code, 0, pulled.stderr);
  for (const [p, d] of Object.entries(files)) assert.ok(b.read(p).equals(d), `${p} identical after gc -r`);

  const again = a.trove('gc', '-r', 'store', '--grace', '0');
  assert.equal(again.code, 0);
  assert.equal(again.result.remote.deletedPacks.length + again.result.remote.repackedPacks.length, 0, 'a second gc -r finds nothing more to do');
  assert.deepEqual(remotePacks(remote).orphans, [], 'with --grace 0 the young orphan goes too');
}));

test('gc -r leaves packs younger than the grace period alone', withScene(({ remote, a, dead }) => {
  // Only the packs are young: the pushes' claims are old, so they do not keep exp alive.
  backdateClaims(remote);
  const before = remotePacks(remote).bytes;
  const r = a.trove('gc', '-r', 'store');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.result.remote.deletedPacks.length + r.result.remote.repackedPacks.length, 0);
  assert.equal(r.result.remote.youngPacks.length, 3, 'exp 1 (a metadata and a data pack) and exp 2');
  assert.equal(remotePacks(remote).bytes, before);
  assert.ok(onRemote(remote, sha(dead)));
}));

test('gc -r from a fresh clone fetches the manifest pages and chunk lists it lacks, and keeps what they name', withScene(({ team, remote, files, dead }) => {
  const b = team.clone('b');
  const r = b.trove('gc', '-r', 'store', '--grace', '0');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!onRemote(remote, sha(dead)));
  const c = team.clone('c');
  assert.equal(c.trove('pull').code, 0);
  for (const [p, d] of Object.entries(files)) assert.ok(c.read(p).equals(d), `${p} identical`);
}));

test('gc -r stops without deleting anything when a live chunk list cannot be read from the remote', withScene(({ team, remote }) => {
  // The chunked model's list lives in the first push's pack; a fresh clone has no local copy of it.
  const b = team.clone('b');
  const { indexed } = remotePacks(remote);
  const modelList = readFileSync(join(b.dir, 'models/m.bin.trove'), 'utf8').match(/sha256:([0-9a-f]{64})/)![1]!;
  const pack = [...indexed].find(([, p]) => p.hexes.has(modelList))![0];
  truncateSync(join(remote, 'packs', `${pack}.pack`), 10);
  const before = remotePacks(remote).bytes;
  const r = b.trove('gc', '-r', 'store', '--grace', '0');
  assert.notEqual(r.code, 0);
  assert.match(r.error.message, /gc -r stopped without deleting anything/);
  assert.match(r.error.hint, /fsck -r/);
  assert.equal(remotePacks(remote).bytes, before, 'nothing was deleted');
}));

test('gc -r with a bad --grace is a usage error', withScene(({ a }) => {
  const r = a.trove('gc', '-r', 'store', '--grace', 'soon');
  assert.equal(r.code, 2);
  assert.match(r.error.message, /not a duration/);
}));
