// The two workloads. Each runs one tool in its own fresh git repository under
// the work dir and records one cell per step
// (every work tree is kept until the run ends; see removeDeferred).
// With cfg.remotes, the push and pull steps (bench/lib/remotes.mjs) follow in
// the same repository; their cells come back separately as `remote`.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  MiB,
  appendRandom,
  hashFile,
  layoutBytes,
  layoutDigest,
  overwriteRange,
  pickSpread,
  rewriteEntries,
  touchLayout,
  w2Layout,
  writeLayout,
  writeRandomFile,
} from './data.mjs';
import { capture, dirBytes, dropPageCache, median, peakRss, round, runSeq, settleDisks, syncDisks } from './measure.mjs';
import { remoteNotRun, runRemotes } from './remotes.mjs';

// ------------------------------------------------------------------ rows

// Rows labelled "median of N" run cfg.repeats times (an add whose first run takes over
// cfg.repeatMaxS runs once; the cell says so); `tools` limits a row to those tools.
export const W1_ROWS = [
  { id: 'add', kind: 'time', label: 'add + commit (incl. init) (median of N, each in a fresh repository)' },
  { id: 'addStore', kind: 'bytes', label: 'store size after add' },
  { id: 'addDisk', kind: 'bytes', label: 'repo on disk after add (work tree + .git + store)' },
  { id: 'status', kind: 'time', label: 'status of big.bin, nothing changed (median of N)' },
  { id: 'edit', kind: 'time', label: 'overwrite 1 MiB in the middle, add + commit (once)' },
  { id: 'editGrowth', kind: 'bytes', label: 'store growth from the 1 MiB overwrite' },
  { id: 'append', kind: 'time', label: 'append 10 MiB, add + commit (once)' },
  { id: 'appendGrowth', kind: 'bytes', label: 'store growth from the 10 MiB append' },
  { id: 'checkoutOld', kind: 'time', label: 'switch to v1 (git checkout + restore) (median of N)' },
  { id: 'checkoutNew', kind: 'time', label: 'switch back to latest (median of N)' },
  { id: 'checkoutOldHardlink', kind: 'time', label: 'switch to v1, trove `checkout --link hardlink` (median of N)', tools: ['trove'] },
  { id: 'checkoutNewHardlink', kind: 'time', label: 'switch back to latest, `--link hardlink` (median of N)', tools: ['trove'] },
  { id: 'checkoutOldSymlink', kind: 'time', label: 'switch to v1, trove `checkout --link symlink` (median of N)', tools: ['trove'] },
  { id: 'checkoutNewSymlink', kind: 'time', label: 'switch back to latest, `--link symlink` (median of N)', tools: ['trove'] },
];

export const W2_ROWS = [
  { id: 'add', kind: 'time', label: 'add + commit all files (incl. init) (median of N, each in a fresh repository)' },
  { id: 'addStore', kind: 'bytes', label: 'store size after add' },
  { id: 'addDisk', kind: 'bytes', label: 'repo on disk after add (work tree + .git + store)' },
  { id: 'status', kind: 'time', label: 'status of data/, nothing changed (median of N)' },
  { id: 'statusTouched', kind: 'time', label: 'status of data/ after touching every mtime (median of N)' },
  { id: 'modify', kind: 'time', label: 'modify 100 files, add + commit (once)' },
  { id: 'modifyGrowth', kind: 'bytes', label: 'store growth from the 100 modified files' },
  { id: 'checkoutOld', kind: 'time', label: 'check out previous version (HEAD~1) (median of N)' },
  { id: 'checkoutNew', kind: 'time', label: 'switch back to latest (median of N)' },
  { id: 'hookCheckoutOld', kind: 'time', label: 'git checkout HEAD~1 alone (trove: its post-checkout hook restores) (median of N)' },
  { id: 'hookCheckoutNew', kind: 'time', label: 'git checkout latest alone (same) (median of N)' },
];

// ------------------------------------------------------------------ helpers

export function gitEnv(workDir) {
  const cfg = path.join(workDir, 'gitconfig');
  fs.mkdirSync(workDir, { recursive: true });
  fs.writeFileSync(
    cfg,
    [
      '[user]',
      '\tname = trove bench',
      '\temail = bench@trove.invalid',
      '[init]',
      '\tdefaultBranch = main',
      '[commit]',
      '\tgpgsign = false',
      '[advice]',
      '\tdetachedHead = false',
      '',
    ].join('\n'),
  );
  return {
    ...process.env,
    GIT_CONFIG_GLOBAL: cfg,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
  };
}

/** rm -rf that also copes with git-annex's write-protected directories. */
const deferred = [];
function deferRemoval(dir) {
  deferred.push(dir);
}

/**
 * Remove the work trees of every tool and workload; call after the last
 * measurement. Not earlier: on ext4 with online discard, freeing tens of
 * thousands of files makes the next tool's file creates pay several seconds
 * of kernel time (measured: a 20k-file add went from 1.4 s to 6.3 s, sys 10 s).
 */
export function removeDeferred(log) {
  const c0 = Date.now();
  for (const dir of deferred.splice(0)) removeTree(dir);
  log(`removed the work trees in ${((Date.now() - c0) / 1000).toFixed(1)} s`);
}

export function removeTree(dir) {
  if (!fs.existsSync(dir)) return;
  spawnSync('chmod', ['-R', 'u+w', dir], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
}

function freshRepo(dir, env) {
  removeTree(dir);
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git init failed: ${r.stderr}`);
}

function failedCell(error, extra = {}) {
  return { kind: 'time', ok: false, error, ...extra };
}

function bytesCell(bytes) {
  return bytes == null ? { kind: 'bytes', skipped: 'not measured' } : { kind: 'bytes', bytes };
}

class Ctx {
  constructor(tool, dir, env, cfg, log) {
    Object.assign(this, { tool, dir, env, cfg, log });
    this.cells = {};
  }

  opts() {
    return { cwd: this.dir, env: this.env, timeoutS: this.cfg.timeoutS };
  }

  /** One timed run of cmds (after flushing earlier writes). */
  async timed(id, cmds) {
    syncDisks();
    const r = await runSeq(cmds, this.opts());
    const cell = { kind: 'time', ok: r.ok, wallS: round(r.wallS), rssKiB: r.rssKiB, commands: r.commands };
    if (!r.ok) Object.assign(cell, { error: r.error, failedCommand: r.failedCommand });
    this.cells[id] = cell;
    this.log(`${this.tool.name.padEnd(9)} ${id.padEnd(14)} ${r.ok ? `${r.wallS.toFixed(2)} s` : `FAILED: ${r.error}`}`);
    return cell;
  }

  /** `repeats` timed runs, `before(k)` untimed ahead of each; median wall. */
  async repeated(id, cmds, before = () => {}) {
    const runs = [];
    let rssKiB = null;
    for (let k = 0; k < this.cfg.repeats; k++) {
      before(k);
      syncDisks();
      const r = await runSeq(cmds, this.opts());
      if (!r.ok) {
        this.cells[id] = failedCell(r.error, { failedCommand: r.failedCommand, wallS: round(r.wallS), rssKiB: r.rssKiB });
        this.log(`${this.tool.name.padEnd(9)} ${id.padEnd(14)} FAILED: ${r.error}`);
        return this.cells[id];
      }
      runs.push(round(r.wallS));
      if (r.rssKiB != null) rssKiB = Math.max(rssKiB ?? 0, r.rssKiB);
    }
    const wallS = median(runs);
    this.cells[id] = { kind: 'time', ok: true, wallS, rssKiB, runs };
    this.log(`${this.tool.name.padEnd(9)} ${id.padEnd(14)} ${wallS.toFixed(3)} s (median of ${runs.join(', ')})`);
    return this.cells[id];
  }

  /** One timed run of cmds, not recorded (after flushing earlier writes). */
  async run(cmds) {
    syncDisks();
    return runSeq(cmds, this.opts());
  }

  /** Record runs of one step: the median wall time, or the first failure. */
  record(id, rs) {
    const bad = rs.find((r) => !r.ok);
    const rss = rs.map((r) => r.rssKiB).filter((x) => x != null);
    const rssKiB = rss.length ? Math.max(...rss) : null;
    if (bad) {
      this.cells[id] = failedCell(bad.error, { failedCommand: bad.failedCommand, wallS: round(bad.wallS), rssKiB });
      this.log(`${this.tool.name.padEnd(9)} ${id.padEnd(14)} FAILED: ${bad.error}`);
    } else {
      const runs = rs.map((r) => round(r.wallS));
      this.cells[id] = { kind: 'time', ok: true, wallS: median(runs), rssKiB, runs, commands: rs[rs.length - 1]?.commands };
      this.log(`${this.tool.name.padEnd(9)} ${id.padEnd(14)} ${median(runs).toFixed(3)} s (median of ${runs.join(', ')})`);
    }
    return this.cells[id];
  }

  /** Untimed preparation; returns an error line or null. */
  async untimed(cmds) {
    if (cmds.length === 0) return null;
    const r = await runSeq(cmds, this.opts());
    return r.ok ? null : `${r.failedCommand}: ${r.error}`;
  }

  store() {
    return dirBytes(path.join(this.dir, this.tool.storeDir));
  }

  rev(name) {
    return capture('git', ['rev-parse', '--verify', '-q', name], { cwd: this.dir, env: this.env });
  }
}

// ------------------------------------------------------------------ W1

export async function runW1(tool, cfg, env, log) {
  const base = path.join(cfg.workDir, `w1-${tool.name}`);
  const ctx = new Ctx(tool, base, env, cfg, log);
  const size = cfg.w1MiB * MiB;
  const editAt = Math.floor(size / 2);
  const editLen = Math.min(1 * MiB, size - editAt);
  const file = () => path.join(ctx.dir, 'big.bin');
  let remote = null;
  try {
    if (cfg.dropCaches) dropPageCache();
    // a. add + commit, each repeat in a fresh repository with the same bytes
    const h1 = await repeatedAdd(ctx, base, 'v1', ['big.bin'], (dir) => {
      log(`${tool.name.padEnd(9)} generating ${cfg.w1MiB} MiB big.bin`);
      writeRandomFile(path.join(dir, 'big.bin'), size, 'w1/base');
      return hashFile(path.join(dir, 'big.bin'));
    });
    const v1 = ctx.rev('HEAD');

    // b. status, nothing changed
    await ctx.repeated('status', tool.status(['big.bin']));

    // c. overwrite 1 MiB in the middle, add + commit
    const big = { editPaths: ['big.bin'], addPaths: ['big.bin'] };
    await editStep(ctx, 'edit', 'editGrowth', big, 'v2', () => overwriteRange(file(), editAt, editLen, 'w1/edit'));

    // d. append 10 MiB, add + commit
    await editStep(ctx, 'append', 'appendGrowth', big, 'v3', () => appendRandom(file(), 10 * MiB, 'w1/append'));
    const h3 = hashFile(file());

    // e. switch to v1 and back, in pairs (each pair ends where it started);
    // then the same with trove's hardlink and symlink modes
    const digest = () => hashFile(file());
    const pairs = [[['checkoutOld', 'checkoutNew'], (rev) => tool.checkout(rev)]];
    if (tool.checkoutLink) {
      pairs.push([['checkoutOldHardlink', 'checkoutNewHardlink'], (rev) => tool.checkoutLink(rev, 'hardlink')]);
      pairs.push([['checkoutOldSymlink', 'checkoutNewSymlink'], (rev) => tool.checkoutLink(rev, 'symlink')]);
    }
    for (const [ids, cmds] of pairs) {
      if (!v1) {
        for (const id of ids) ctx.cells[id] = failedCell('no v1 commit (an earlier step failed)');
      } else {
        await switchPairs(ctx, ids, [cmds(v1), cmds('main')], digest, [h1, h3], ['v1', 'the latest version']);
      }
    }

    // f. push, then a fresh clone + pull (directory remote, then S3)
    if (cfg.remotes && tool.remotes !== false) {
      const check = { digest: (root) => hashFile(path.join(root, 'big.bin')), expected: h3 };
      remote = await runRemotes(tool, cfg, env, log, { wl: 'w1', repo: ctx.dir, check, defer: deferRemoval });
    }
  } catch (err) {
    log(`${tool.name.padEnd(9)} harness error: ${err.stack ?? err}`);
    ctx.harnessError = String(err.message ?? err);
  }
  return withRemote(finish(ctx, W1_ROWS), cfg, ctx, remote);
}

/**
 * The first add + commit, cfg.repeats times, each in a fresh `git init`
 * repository (base, base-2, base-3) whose data `write(dir)` has just written
 * (the same bytes every time; it returns their digest): every repeat does the
 * same work, and no repository is deleted under the next one's feet (see
 * removeDeferred). A first run over cfg.repeatMaxS is not repeated. The
 * workload goes on in the last repository (ctx.dir). Returns the digest.
 */
async function repeatedAdd(ctx, base, msg, paths, write) {
  const { tool, cfg } = ctx;
  const rs = [];
  let digest = null;
  for (let k = 1; k <= cfg.repeats; k++) {
    const dir = k === 1 ? base : `${base}-${k}`;
    deferRemoval(dir);
    freshRepo(dir, ctx.env);
    ctx.dir = dir;
    digest = write(dir);
    // The first run waits for the previous tool's I/O to settle (see
    // settleDisks); later ones follow this tool's own run, with nothing
    // deleted in between, and only sync (in ctx.run) like every other step.
    if (k === 1) await settleDisks();
    const r = await ctx.run([...tool.init(), ...tool.add(paths), ...tool.commit(msg)]);
    rs.push(r);
    ctx.log(`${tool.name.padEnd(9)} add #${k}      ${r.ok ? `${r.wallS.toFixed(2)} s` : `FAILED: ${r.error}`}`);
    if (!r.ok || r.wallS > cfg.repeatMaxS) break;
  }
  const cell = ctx.record('add', rs);
  if (cell.ok && rs.length < cfg.repeats) cell.once = `the first run took over ${cfg.repeatMaxS} s`;
  ctx.cells.addStore = bytesCell(ctx.store());
  ctx.cells.addDisk = bytesCell(dirBytes(ctx.dir));
  return digest;
}

/**
 * Switch to the old version and back, cfg.repeats times: `cmds` = [to old,
 * to new]; after every switch the work tree's `digest()` must equal
 * `expected` [old, new] (else the cell says "wrong content").
 */
async function switchPairs(ctx, ids, cmds, digest, expected, what) {
  const rs = [[], []];
  const wrong = [null, null];
  for (let k = 0; k < ctx.cfg.repeats; k++) {
    let failed = false;
    for (const i of [0, 1]) {
      const r = await ctx.run(cmds[i]);
      rs[i].push(r);
      if (!r.ok) {
        failed = true;
        break;
      }
      if (wrong[i] == null && digest() !== expected[i]) wrong[i] = `work tree does not match ${what[i]} after checkout (run ${k + 1})`;
    }
    if (failed) break;
  }
  for (const i of [0, 1]) {
    const cell = ctx.record(ids[i], rs[i].length ? rs[i] : [{ ok: false, error: 'not run: the switch before it failed', wallS: 0 }]);
    if (cell.ok && wrong[i]) {
      Object.assign(cell, { ok: false, wrong: true, error: wrong[i] });
      ctx.log(`${ctx.tool.name.padEnd(9)} ${ids[i].padEnd(14)} WRONG CONTENT: ${wrong[i]}`);
    }
  }
}

function withRemote(result, cfg, ctx, remote) {
  if (!cfg.remotes || ctx.tool.remotes === false) return result;
  return { ...result, remote: remote ?? remoteNotRun(`the workload stopped early (${ctx.harnessError ?? 'unknown'})`) };
}

/** Untimed unlock + edit, then timed add + commit, then store growth. */
async function editStep(ctx, id, growthId, { editPaths, addPaths }, msg, edit) {
  const prep = await ctx.untimed(ctx.tool.prepareEdit(editPaths));
  if (prep) {
    ctx.cells[id] = failedCell(`before editing: ${prep}`);
    ctx.log(`${ctx.tool.name.padEnd(9)} ${id.padEnd(14)} FAILED: ${ctx.cells[id].error}`);
    return;
  }
  try {
    edit();
  } catch (err) {
    ctx.cells[id] = failedCell(`editing: ${err.message}`);
    ctx.log(`${ctx.tool.name.padEnd(9)} ${id.padEnd(14)} FAILED: ${ctx.cells[id].error}`);
    return;
  }
  const before = ctx.store();
  const cell = await ctx.timed(id, [...ctx.tool.add(addPaths), ...ctx.tool.commit(msg)]);
  const after = ctx.store();
  ctx.cells[growthId] = cell.ok && before != null && after != null ? bytesCell(after - before) : { kind: 'bytes', skipped: 'step failed' };
}

// ------------------------------------------------------------------ W2

export async function runW2(tool, cfg, env, log) {
  const base = path.join(cfg.workDir, `w2-${tool.name}`);
  const ctx = new Ctx(tool, base, env, cfg, log);
  const layout = w2Layout(cfg.w2Files, cfg.w2PerDir);
  let remote = null;
  try {
    if (cfg.dropCaches) dropPageCache();
    const d1 = await repeatedAdd(ctx, base, 'v1', ['data'], (dir) => {
      log(`${tool.name.padEnd(9)} generating ${layout.length} files (${(layoutBytes(layout) / MiB).toFixed(0)} MiB)`);
      writeLayout(dir, layout, 'w2/base');
      return layoutDigest(dir, layout);
    });
    const dir = ctx.dir;

    await ctx.repeated('status', tool.status(['data']));

    // A new, distinct mtime before every run (in the past, so git does not
    // treat the entries as racily clean forever).
    const t = Math.floor(Date.now() / 1000) - 3600;
    await ctx.repeated('statusTouched', tool.status(['data']), (k) => touchLayout(dir, layout, t + 17 * (k + 1) + 0.25));

    const changed = pickSpread(layout, 100);
    // Unlock (annex) only the files we change; add the whole directory back.
    const paths = { editPaths: changed.map((e) => e.rel), addPaths: ['data'] };
    await editStep(ctx, 'modify', 'modifyGrowth', paths, 'v2', () => rewriteEntries(dir, changed, 'w2/edit'));
    const d2 = layoutDigest(dir, layout);

    const digest = () => layoutDigest(dir, layout);
    const what = ['the previous version', 'the latest version'];
    await switchPairs(ctx, ['checkoutOld', 'checkoutNew'], [tool.checkout('HEAD~1'), tool.checkout('main')], digest, [d1, d2], what);

    await hookSwitch(ctx, digest, d1, d2);

    if (cfg.remotes && tool.remotes !== false) {
      const check = { digest: (root) => layoutDigest(root, layout), expected: d2 };
      remote = await runRemotes(tool, cfg, env, log, { wl: 'w2', repo: dir, check, defer: deferRemoval });
    }
  } catch (err) {
    log(`${tool.name.padEnd(9)} harness error: ${err.stack ?? err}`);
    ctx.harnessError = String(err.message ?? err);
  }
  return withRemote(finish(ctx, W2_ROWS), cfg, ctx, remote);
}

/**
 * The same switch with `git checkout` alone: the data follows through the
 * tool's Git integration (trove: `trove install`, untimed, then its
 * post-checkout hook restores inside the timed git checkout). The hooks are
 * removed again so the push and pull steps measure what they did before.
 */
async function hookSwitch(ctx, digest, d1, d2) {
  const { tool } = ctx;
  const plainEnv = ctx.env;
  if (tool.hookEnv) ctx.env = tool.hookEnv(plainEnv, ctx.cfg.workDir);
  try {
    const setup = await ctx.untimed(tool.installHooks?.() ?? []);
    if (setup) {
      for (const id of ['hookCheckoutOld', 'hookCheckoutNew']) ctx.cells[id] = failedCell(`installing the hooks: ${setup}`);
      ctx.log(`${tool.name.padEnd(9)} hookCheckout   FAILED: installing the hooks: ${setup}`);
      return;
    }
    const what = ['the previous version', 'the latest version'];
    await switchPairs(ctx, ['hookCheckoutOld', 'hookCheckoutNew'], [tool.hookCheckout('HEAD~1'), tool.hookCheckout('main')], digest, [d1, d2], what);
    const undo = await ctx.untimed(tool.uninstallHooks?.() ?? []);
    if (undo) ctx.log(`${tool.name.padEnd(9)} removing the hooks failed: ${undo}`);
  } finally {
    ctx.env = plainEnv;
  }
}

function finish(ctx, rows) {
  const cells = {};
  for (const row of rows) {
    if (row.tools && !row.tools.includes(ctx.tool.name)) {
      cells[row.id] = { kind: row.kind, na: 'trove only' };
      continue;
    }
    cells[row.id] =
      ctx.cells[row.id] ??
      (row.kind === 'time'
        ? failedCell(ctx.harnessError ? `harness: ${ctx.harnessError}` : 'not run')
        : { kind: 'bytes', skipped: 'not run' });
  }
  return {
    status: 'ran',
    cells,
    peakRssKiB: peakRss(cells),
    ...(ctx.harnessError ? { harnessError: ctx.harnessError } : {}),
  };
}
