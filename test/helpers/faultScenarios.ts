import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkRepo,
  copyTree,
  describeFailure,
  duBytes,
  git,
  identify,
  initRepo,
  jsonError,
  orphanPacks,
  randInt,
  trove,
  Verdict,
  type Proc,
  type Scale,
  type Scenario,
} from './campaignKit.js';
import { pullsIntact, writeLarge, writeSmall } from './crashScenarios.js';

/**
 * The fault scenarios of the campaign: two commands at once on one repository
 * or one remote, and a store or a remote on a file system that fills up. Each
 * run draws its timing and sizes from its seed.
 */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A command that lost the lock race must say LOCKED (exit 11) and leave the repository to the re-run. */
function lockedOrOk(args: string[], p: Proc, v: Verdict): boolean {
  if (p.code === 0) return true;
  if (p.code === 11 && jsonError(p)?.code === 'LOCKED') return false;
  v.add('stuck', `concurrent ${describeFailure(args, p)}`);
  return true;
}

export const concurrentAdd: Scenario<null> = {
  name: 'concurrent: two adds',
  what: 'two `trove add` at once (same or different paths): each completes or fails with LOCKED (11), nothing corrupt',
  prepare: async () => null,
  async run(_, { seed, rng, dir, scale }) {
    await initRepo(dir);
    const expected = { ...writeSmall(dir, Math.ceil(scale.smallFiles / 2), seed, 'one'), ...writeLarge(dir, scale, seed + 1, 'two/big.bin'), ...writeSmall(dir, 200, seed + 2, 'two') };
    const same = rng() < 0.3;
    const argsA = ['add', ...(same ? ['one', 'two'] : ['one'])];
    const argsB = ['add', ...(same ? ['one', 'two'] : ['two'])];
    // A short lock timeout makes one of them give up (LOCKED); a long one makes it wait.
    const env = { TROVE_LOCK_TIMEOUT_MS: String(rng() < 0.5 ? randInt(rng, 50, 500) : 60_000) };
    const v = new Verdict();
    const a = trove(dir, ['--json', ...argsA], { env, timeoutMs: scale.timeoutMs });
    await sleep(randInt(rng, 0, 300));
    const b = trove(dir, ['--json', ...argsB], { env, timeoutMs: scale.timeoutMs });
    const [pa, pb] = await Promise.all([a, b]);
    for (const [args, p] of [[argsA, pa], [argsB, pb]] as const) {
      if (lockedOrOk(args, p, v)) continue;
      v.metrics.locked = (v.metrics.locked ?? 0) + 1;
      const again = await trove(dir, ['--json', ...args], { timeoutMs: scale.timeoutMs });
      if (again.code !== 0) v.add('stuck', `after LOCKED, ${describeFailure(args, again)}`);
    }
    await checkRepo(dir, expected, scale, v, ['one', 'two']);
    return v.result();
  },
};

export const addDuringGc: Scenario<null> = {
  name: 'concurrent: add during gc',
  what: '`trove add` started while `trove gc` removes older versions: the new content survives',
  prepare: async () => null,
  async run(_, { seed, rng, dir, scale }) {
    await initRepo(dir);
        const files = Math.ceil(scale.smallFiles / 3);
    // Two versions added, never committed: the first is garbage for gc.
    for (const k of [0, 1]) {
      writeLarge(dir, scale, seed + 10 * k, 'model.bin');
      writeSmall(dir, files, seed + 10 * k + 1);
      const r = await trove(dir, ['--json', 'add', 'model.bin', 'data'], { timeoutMs: scale.timeoutMs });
      if (r.code !== 0) throw new Error(describeFailure(['add'], r));
    }
    const expected = { ...writeLarge(dir, scale, seed + 20, 'model.bin'), ...writeSmall(dir, files, seed + 21), ...writeLarge(dir, scale, seed + 22, 'new.bin') };
    const v = new Verdict();
    const gc = trove(dir, ['--json', 'gc'], { timeoutMs: scale.timeoutMs });
    await sleep(randInt(rng, 0, 400));
    const add = await trove(dir, ['--json', 'add', 'model.bin', 'data', 'new.bin'], { timeoutMs: scale.timeoutMs });
    const g = await gc;
    if (g.code !== 0) v.add('stuck', describeFailure(['gc'], g));
    if (add.code !== 0) v.add('stuck', `during gc, ${describeFailure(['add'], add)}`);
    else await checkRepo(dir, expected, scale, v, ['model.bin', 'data', 'new.bin']);
    return v.result();
  },
};

interface PairState {
  base: string;
  template: string;
  expectedA: Record<string, string>;
  expectedC: Record<string, string>;
}

/** A team in base/run: clone a (main) and clone c (branch c) with data committed and git-pushed, nothing trove-pushed; the remote is base/run/remote. */
async function preparePair(base: string, s: Scale): Promise<PairState> {
  const run = join(base, 'run');
  mkdirSync(run, { recursive: true });
  git(run, 'init', '-q', '--bare', '-b', 'main', 'origin.git');
  git(run, 'clone', '-q', 'origin.git', 'a');
  const a = join(run, 'a');
  identify(a);
  const must = async (dir: string, args: string[]): Promise<void> => {
    const r = await trove(dir, ['--json', ...args], { timeoutMs: s.timeoutMs });
    if (r.code !== 0) throw new Error(`campaign setup: ${describeFailure(args, r)}`);
  };
  await must(a, ['init']);
  const expectedA = { ...writeLarge(a, s, 41, 'shared/big.bin'), ...writeSmall(a, Math.ceil(s.smallFiles / 4), 42, 'only-a') };
  await must(a, ['add', 'shared', 'only-a']);
  await must(a, ['remote', 'add', '-d', 'store', join(run, 'remote')]);
  git(a, 'add', '-A');
  git(a, 'commit', '-qm', 'a');
  git(a, 'push', '-q', 'origin', 'main');
  git(run, 'clone', '-q', 'origin.git', 'c');
  const c = join(run, 'c');
  identify(c);
  git(c, 'checkout', '-q', '-b', 'c');
  // c has the same shared file (so both push the same objects) and its own data.
  const expectedC = { ...writeLarge(c, s, 41, 'shared/big.bin'), ...writeSmall(c, Math.ceil(s.smallFiles / 4), 43, 'only-c') };
  await must(c, ['add', 'shared', 'only-c']);
  git(c, 'add', '-A');
  git(c, 'commit', '-qm', 'c');
  git(c, 'push', '-q', 'origin', 'c');
  const template = join(base, 'template');
  copyTree(run, template);
  return { base, template, expectedA, expectedC };
}

export const concurrentPush: Scenario<PairState> = {
  name: 'concurrent: two clones push',
  what: 'two clones push the same and different data to one directory remote at once; fresh clones pull both',
  prepare: (base, s) => preparePair(base, s),
  async run(t, { rng, scale }) {
    const run = join(t.base, 'run');
    copyTree(t.template, run);
    const v = new Verdict();
    const a = trove(join(run, 'a'), ['--json', 'push'], { timeoutMs: scale.timeoutMs });
    await sleep(randInt(rng, 0, 500));
    const c = trove(join(run, 'c'), ['--json', 'push', 'shared', 'only-c'], { timeoutMs: scale.timeoutMs });
    for (const p of await Promise.all([a, c])) if (p.code !== 0) v.add('stuck', `concurrent ${describeFailure(['push'], p)}`);
    const fsck = await trove(join(run, 'a'), ['--json', 'fsck', '--remote', 'store'], { timeoutMs: scale.timeoutMs });
    if (fsck.code !== 0) v.add('corrupt', `remote ${describeFailure(['fsck', '--remote', 'store'], fsck)}`);
    await pullsIntact(run, 'check-a', t.expectedA, scale, v);
    await pullsIntact(run, 'check-c', t.expectedC, scale, v, 'origin/c');
    return v.result();
  },
};

function mount(dir: string, bytes: number): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.max(64 * 1024, bytes)}`, 'tmpfs', dir]);
}
const remount = (dir: string, bytes: number): void => void execFileSync('mount', ['-o', `remount,size=${bytes}`, dir]);
const unmount = (dir: string): void => void spawnSync('umount', ['-l', dir]);

export const fullStore: Scenario<null> = {
  name: 'full: store',
  what: '`trove add` with the store on a tmpfs that fills up at a random point; add again once there is room',
  needsRoot: true,
  prepare: async () => null,
  async run(_, { seed, rng, dir, scale }) {
    const repo = join(dir, 'repo');
    const cache = join(dir, 'cache');
    await initRepo(repo);
    const expected = { ...writeLarge(repo, scale, seed), ...writeSmall(repo, Math.ceil(scale.smallFiles / 2), seed + 1) };
    const total = scale.mediumBytes + scale.smallFiles * 8 * 1024;
    mount(cache, Math.floor(total * (0.1 + 0.8 * rng())));
    const v = new Verdict();
    try {
      writeFileSync(join(repo, '.trove/config.local.yaml'), `core:\n  cache: ${cache}\n`);
      const first = await trove(repo, ['--json', 'add', 'big.bin', 'data'], { timeoutMs: scale.timeoutMs });
      if (first.code !== 0 && jsonError(first)?.code !== 'NO_SPACE') v.add('stuck', `on a full store, ${describeFailure(['add'], first)}`);
      v.metrics.filled = first.code === 0 ? 0 : 1;
      remount(cache, total * 3);
      const again = await trove(repo, ['--json', 'add', 'big.bin', 'data'], { timeoutMs: scale.timeoutMs });
      if (again.code !== 0) v.add('stuck', `once there is room, ${describeFailure(['add'], again)}`);
      else await checkRepo(repo, expected, scale, v, ['big.bin', 'data']);
    } finally {
      unmount(cache);
    }
    return v.result();
  },
};

export const fullRemote: Scenario<PairState> = {
  name: 'full: remote',
  what: '`trove push` to a directory remote on a tmpfs that fills up at a random point; push again once there is room',
  needsRoot: true,
  prepare: (base, s) => preparePair(base, s),
  async run(t, { rng, scale }) {
    const run = join(t.base, 'run');
    copyTree(t.template, run);
    const remote = join(run, 'remote');
    const total = scale.mediumBytes + (scale.smallFiles / 4) * 8 * 1024;
    mount(remote, Math.floor(total * (0.1 + 0.8 * rng())));
    const v = new Verdict();
    try {
      const a = join(run, 'a');
      const first = await trove(a, ['--json', 'push'], { timeoutMs: scale.timeoutMs });
      if (first.code !== 0 && jsonError(first)?.code !== 'NO_SPACE') v.add('stuck', `on a full remote, ${describeFailure(['push'], first)}`);
      v.metrics.filled = first.code === 0 ? 0 : 1;
      remount(remote, total * 3);
      const again = await trove(a, ['--json', 'push'], { timeoutMs: scale.timeoutMs });
      v.metrics.remoteTmpBytes = duBytes(join(remote, 'tmp'));
      v.metrics.orphanPacks = orphanPacks(remote);
      if (again.code !== 0) v.add('stuck', `once there is room, ${describeFailure(['push'], again)}`);
      else {
        const fsck = await trove(a, ['--json', 'fsck', '--remote', 'store'], { timeoutMs: scale.timeoutMs });
        if (fsck.code !== 0) v.add('corrupt', `remote ${describeFailure(['fsck', '--remote', 'store'], fsck)}`);
        await pullsIntact(run, 'check-a', t.expectedA, scale, v);
      }
    } finally {
      unmount(remote);
    }
    return v.result();
  },
};

export const faultScenarios: Scenario[] = [concurrentAdd, addDuringGc, concurrentPush, fullStore, fullRemote];
