import { unpackToFormat1 } from './unpackStore.js';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkRepo,
  compareTree,
  copyTree,
  createRng,
  describeFailure,
  duBytes,
  git,
  identify,
  initRepo,
  jsonError,
  listWorkFiles,
  killThenRerun,
  orphanPacks,
  randInt,
  trove,
  Verdict,
  writeSeededFile,
  type Scale,
  type Scenario,
} from './campaignKit.js';

/**
 * The kill -9 scenarios of the campaign: add (one large file; thousands of small
 * files), checkout, push and pull to a directory remote. Each run kills the
 * command at a random moment between its start and the time an uninterrupted
 * run took (measured once in `prepare`), re-runs it, and checks the result.
 */

export function writeLarge(dir: string, scale: Scale, seed: number, name = 'big.bin', bytes = scale.mediumBytes): Record<string, string> {
  return { [name]: writeSeededFile(join(dir, name), bytes, seed) };
}

/** `count` small files (1 B to 16 KiB) under `top`, 100 to a folder. */
export function writeSmall(dir: string, count: number, seed: number, top = 'data', only: (i: number) => boolean = () => true): Record<string, string> {
  const rng = createRng(seed);
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const size = randInt(rng, 1, 16 * 1024);
    if (!only(i)) continue;
    const p = `${top}/d${String(Math.floor(i / 100)).padStart(3, '0')}/f${String(i).padStart(5, '0')}.bin`;
    out[p] = writeSeededFile(join(dir, p), size, seed * 7919 + i);
  }
  return out;
}

async function mustTrove(dir: string, args: string[], scale: Scale): Promise<number> {
  const r = await trove(dir, ['--json', ...args], { timeoutMs: scale.timeoutMs });
  if (r.code !== 0) throw new Error(`campaign setup: ${describeFailure(args, r)}`);
  return r.ms;
}

function addScenario(name: string, what: string, paths: string[], write: (dir: string, scale: Scale, seed: number) => Record<string, string>): Scenario<{ fullMs: number }> {
  return {
    name,
    what,
    async prepare(base, scale) {
      const dir = join(base, 'calibrate');
      await initRepo(dir);
      write(dir, scale, 1);
      const fullMs = await mustTrove(dir, ['add', ...paths], scale);
      rmSync(dir, { recursive: true, force: true });
      return { fullMs };
    },
    async run({ fullMs }, { seed, rng, dir, scale }) {
      await initRepo(dir);
      const expected = write(dir, scale, seed);
      const v = new Verdict();
      const killAfterMs = Math.floor(rng() * fullMs);
      const { killed, completed } = await killThenRerun(dir, ['add', ...paths], killAfterMs, scale, v);
      if (completed) await checkRepo(dir, expected, scale, v, paths);
      return v.result({ killed, killAfterMs });
    },
  };
}


export const addLarge = addScenario('kill: add one large file', 'kill -9 during `trove add big.bin`', ['big.bin'], (dir, s, seed) => writeLarge(dir, s, seed, 'big.bin', s.largeBytes));
export const addSmall = addScenario('kill: add small files', 'kill -9 during `trove add data` (thousands of small files)', ['data'], (dir, s, seed) => writeSmall(dir, s.smallFiles, seed));

/** A repository whose HEAD (main) holds v2 of a large file and a folder of small files, and tag v1 the first version. */
async function twoVersions(dir: string, s: Scale): Promise<{ v1: Record<string, string>; v2: Record<string, string> }> {
  await initRepo(dir);
  const files = Math.ceil(s.smallFiles / 2);
  const v1 = { ...writeLarge(dir, s, 11), ...writeSmall(dir, files, 12) };
  await mustTrove(dir, ['add', 'big.bin', 'data'], s);
  git(dir, 'commit', '-qm', 'v1');
  git(dir, 'tag', 'v1');
  const v2 = { ...v1, ...writeLarge(dir, s, 21), ...writeSmall(dir, files, 22, 'data', (i) => i % 3 === 0) };
  await mustTrove(dir, ['add', 'big.bin', 'data'], s);
  git(dir, 'commit', '-qm', 'v2');
  return { v1, v2 };
}

export const checkout: Scenario<{ template: string; fullMs: number; v1: Record<string, string>; v2: Record<string, string> }> = {
  name: 'kill: checkout',
  what: 'kill -9 during `trove checkout` from v2 to v1 (large file and small files)',
  async prepare(base, s) {
    const template = join(base, 'template');
    const { v1, v2 } = await twoVersions(template, s);
    const calib = join(base, 'calibrate');
    copyTree(template, calib);
    git(calib, 'checkout', '-q', 'v1');
    const fullMs = await mustTrove(calib, ['checkout'], s);
    rmSync(calib, { recursive: true, force: true });
    return { template, fullMs, v1, v2 };
  },
  async run({ template, fullMs, v1, v2 }, { rng, dir, scale }) {
    copyTree(template, dir);
    git(dir, 'checkout', '-q', 'v1');
    const v = new Verdict();
    const killAfterMs = Math.floor(rng() * fullMs);
    const { killed, completed } = await killThenRerun(dir, ['checkout'], killAfterMs, scale, v);
    if (completed) {
      await checkRepo(dir, v1, scale, v);
      // Nothing of v2 may have gone: it comes back from the store.
      git(dir, 'checkout', '-q', 'main');
      const back = await trove(dir, ['--json', 'checkout', '--no-fetch'], { timeoutMs: scale.timeoutMs });
      if (back.code !== 0) v.add('lost', `v2 from the store: ${describeFailure(['checkout'], back)}`);
      else for (const d of compareTree(dir, v2)) v.add('lost', `v2 from the store: ${d}`);
    }
    return v.result({ killed, killAfterMs });
  },
};

interface TeamState {
  base: string;
  template: string;
  fullMs: number;
  expected: Record<string, string>;
}

/**
 * A team in `base/run` (fixed, because the committed remote URL is absolute): a bare
 * origin, clone `a` with data added, committed and git-pushed, a directory remote
 * `base/run/remote` as default; with `pushed`, the data pushed and clone `b` made.
 */
async function prepareTeam(base: string, s: Scale, pushed: boolean): Promise<TeamState & { run: string }> {
  const run = join(base, 'run');
  mkdirSync(run, { recursive: true });
  git(run, 'init', '-q', '--bare', '-b', 'main', 'origin.git');
  git(run, 'clone', '-q', 'origin.git', 'a');
  const a = join(run, 'a');
  identify(a);
  await mustTrove(a, ['init'], s);
  const expected = { ...writeLarge(a, s, 31), ...writeSmall(a, Math.ceil(s.smallFiles / 2), 32) };
  await mustTrove(a, ['add', 'big.bin', 'data'], s);
  await mustTrove(a, ['remote', 'add', '-d', 'store', join(run, 'remote')], s);
  git(a, 'add', '-A');
  git(a, 'commit', '-qm', 'data');
  git(a, 'push', '-q', 'origin', 'main');
  if (pushed) {
    await mustTrove(a, ['push'], s);
    git(run, 'clone', '-q', 'origin.git', 'b');
  }
  const template = join(base, 'template');
  copyTree(run, template);
  return { base, run, template, fullMs: 0, expected };
}

/** A fresh clone pulls everything: a missing object is lost data, different bytes are corrupt. */
export async function pullsIntact(run: string, name: string, expected: Record<string, string>, s: Scale, v: Verdict, rev?: string): Promise<void> {
  const c = join(run, name);
  rmSync(c, { recursive: true, force: true });
  git(run, 'clone', '-q', 'origin.git', name);
  if (rev) git(c, 'checkout', '-q', rev);
  const r = await trove(c, ['--json', 'pull'], { timeoutMs: s.timeoutMs });
  if (r.code !== 0) {
    const code = jsonError(r)?.code;
    v.add(code === 'PARTIAL_TRANSFER' || code === 'OBJECT_MISSING' ? 'lost' : 'stuck', `fresh clone: ${describeFailure(['pull'], r)}`);
    return;
  }
  await checkRepo(c, expected, s, v);
}

export const push: Scenario<TeamState> = {
  name: 'kill: push',
  what: 'kill -9 during `trove push` to a directory remote; a fresh clone then pulls',
  async prepare(base, s) {
    const t = await prepareTeam(base, s, false);
    t.fullMs = await mustTrove(join(t.run, 'a'), ['push'], s);
    return t;
  },
  async run(t, { rng, scale }) {
    const run = join(t.base, 'run');
    copyTree(t.template, run);
    const a = join(run, 'a');
    const v = new Verdict();
    const killAfterMs = Math.floor(rng() * t.fullMs);
    const { killed, completed } = await killThenRerun(a, ['push'], killAfterMs, scale, v);
    v.metrics.remoteTmpBytes = duBytes(join(run, 'remote/tmp'));
    v.metrics.orphanPacks = orphanPacks(join(run, 'remote'));
    if (completed) {
      const fsck = await trove(a, ['--json', 'fsck', '--remote', 'store'], { timeoutMs: scale.timeoutMs });
      if (fsck.code !== 0) v.add('corrupt', `remote ${describeFailure(['fsck', '--remote', 'store'], fsck)}`);
      await pullsIntact(run, 'b', t.expected, scale, v);
    }
    return v.result({ killed, killAfterMs });
  },
};

export const pull: Scenario<TeamState> = {
  name: 'kill: pull',
  what: 'kill -9 during `trove pull` from a directory remote in a fresh clone',
  async prepare(base, s) {
    const t = await prepareTeam(base, s, true);
    // Every run starts from a fresh copy of the template, so the calibration pull may use run/ itself.
    t.fullMs = await mustTrove(join(t.run, 'b'), ['pull'], s);
    return t;
  },
  async run(t, { rng, scale }) {
    const run = join(t.base, 'run');
    copyTree(t.template, run);
    const b = join(run, 'b');
    const v = new Verdict();
    const killAfterMs = Math.floor(rng() * t.fullMs);
    const { killed, completed } = await killThenRerun(b, ['pull'], killAfterMs, scale, v);
    if (completed) await checkRepo(b, t.expected, scale, v);
    return v.result({ killed, killAfterMs });
  },
};


// ---------------------------------------------------------------------------------------------
// Pack lifecycle (issue 18, P5): kill -9 during gc while it rewrites packs or packs loose objects.

interface PackGcState {
  template: string;
  fullMs: number;
  kept: { rev: string; files: Record<string, string> }[];
}

/**
 * Three versions of `smallFiles` small files: v1 and v3 on main (tagged), v2
 * on a branch that is then deleted (its reflog expired), so gc finds dead
 * entries in the packs. With `loose`, the store is turned into a format-1
 * store first: gc then packs loose objects and retires nothing old.
 */
function packGcScenario(name: string, what: string, loose: boolean): Scenario<PackGcState> {
  const build = async (dir: string, s: Scale): Promise<PackGcState['kept']> => {
    await initRepo(dir);
    const kept: PackGcState['kept'] = [];
    const n = s.smallFiles;
    const v1 = writeSmall(dir, n, 31);
    await mustTrove(dir, ['add', 'data'], s);
    git(dir, 'commit', '-qm', 'v1');
    git(dir, 'tag', 'v1');
    kept.push({ rev: 'v1', files: v1 });
    git(dir, 'checkout', '-qb', 'side');
    writeSmall(dir, n, 32);
    await mustTrove(dir, ['add', 'data'], s);
    git(dir, 'commit', '-qm', 'v2 (garbage once the branch is gone)');
    git(dir, 'checkout', '-q', 'main');
    await mustTrove(dir, ['checkout'], s);
    const v3 = { ...v1, ...writeSmall(dir, n, 33, 'data', (i) => i % 2 === 0) };
    await mustTrove(dir, ['add', 'data'], s);
    git(dir, 'commit', '-qm', 'v3');
    git(dir, 'tag', 'v3');
    kept.push({ rev: 'v3', files: v3 });
    git(dir, 'branch', '-qD', 'side');
    git(dir, 'reflog', 'expire', '--expire=now', '--all');
    if (loose) unpackToFormat1(join(dir, '.trove/cache'));
    return kept;
  };
  return {
    name,
    what,
    async prepare(base, s) {
      const template = join(base, 'template');
      const kept = await build(template, s);
      const calib = join(base, 'calibrate');
      copyTree(template, calib);
      const fullMs = await mustTrove(calib, ['gc'], s);
      rmSync(calib, { recursive: true, force: true });
      return { template, fullMs, kept };
    },
    async run({ template, fullMs, kept }, { rng, dir, scale }) {
      copyTree(template, dir);
      const v = new Verdict();
      const killAfterMs = Math.floor(rng() * fullMs);
      const { killed, completed } = await killThenRerun(dir, ['gc'], killAfterMs, scale, v);
      if (completed) {
        // every kept version checks out from the local store alone, verified
        for (const { rev, files } of kept) {
          git(dir, 'checkout', '-q', rev);
          const co = await trove(dir, ['--json', 'checkout', '--no-fetch', '--force'], { timeoutMs: scale.timeoutMs });
          if (co.code !== 0) v.add('lost', `${rev} from the store: ${describeFailure(['checkout', '--no-fetch'], co)}`);
          else for (const d of compareTree(dir, files)) v.add('lost', `${rev} from the store: ${d}`);
        }
        git(dir, 'checkout', '-q', 'main');
        await checkRepo(dir, kept[kept.length - 1]!.files, scale, v);
        const packsDir = join(dir, '.trove/cache/packs');
        const temps = existsSync(packsDir) ? listWorkFiles(packsDir).filter((p) => /\.tmp-/.test(p)) : [];
        if (temps.length) v.add('stuck', `pack temps left after the re-run gc: ${temps.slice(0, 3).join(', ')}`);
      }
      return v.result({ killed, killAfterMs });
    },
  };
}

export const repackKill = packGcScenario('kill: repack', 'kill -9 during a repack leaves every object readable (`trove gc` rewriting packs less than 80 % live)', false);
export const gcPacksKill = packGcScenario('kill: gc of packs', 'kill -9 during gc of packs leaves every object readable (`trove gc` packing a format-1 store)', true);
export const packLifecycleScenarios: Scenario[] = [repackKill, gcPacksKill];
/**
 * kill -9 while `trove add` writes a local pack (small files go into one pack
 * per command): whatever moment the kill hits (temp pack, its sync, the index,
 * the renames), every object of the version committed before still reads
 * verified, the re-run add completes, fsck is clean, and gc leaves no pack temp.
 */
export const packing: Scenario<{ template: string; fullMs: number; v1: Record<string, string> }> = {
  name: 'kill: packing',
  what: 'kill -9 during packing (`trove add more`, small files over an existing version) leaves every object readable',
  async prepare(base, s) {
    const template = join(base, 'template');
    await initRepo(template);
    const v1 = writeSmall(template, Math.ceil(s.smallFiles / 2), 41);
    await mustTrove(template, ['add', 'data'], s);
    git(template, 'commit', '-qm', 'v1');
    const calib = join(base, 'calibrate');
    copyTree(template, calib);
    writeSmall(calib, s.smallFiles, 42, 'more');
    const fullMs = await mustTrove(calib, ['add', 'more'], s);
    rmSync(calib, { recursive: true, force: true });
    return { template, fullMs, v1 };
  },
  async run({ template, fullMs, v1 }, { seed, rng, dir, scale }) {
    copyTree(template, dir);
    const more = writeSmall(dir, scale.smallFiles, 42 + seed, 'more');
    const v = new Verdict();
    const killAfterMs = Math.floor(rng() * fullMs);
    const { killed, completed } = await killThenRerun(dir, ['add', 'more'], killAfterMs, scale, v);
    if (completed) {
      // fsck, both trees, and data/ and more/ brought back from the store alone.
      await checkRepo(dir, { ...v1, ...more }, scale, v, ['data', 'more']);
      const gc = await trove(dir, ['--json', 'gc'], { timeoutMs: scale.timeoutMs });
      if (gc.code !== 0) v.add('stuck', describeFailure(['gc'], gc));
      const packs = join(dir, '.trove/cache/packs');
      const temps = existsSync(packs) ? readdirSync(packs).filter((n) => n.includes('.tmp-')) : [];
      if (temps.length) v.add('stuck', `pack temps left after gc: ${temps.slice(0, 3).join(', ')}`);
    }
    return v.result({ killed, killAfterMs });
  },
};

export const killScenarios: Scenario[] = [addLarge, addSmall, checkout, push, pull, packing];
