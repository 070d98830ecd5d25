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

export const W1_ROWS = [
  { id: 'add', kind: 'time', label: 'add + commit (incl. init)' },
  { id: 'addStore', kind: 'bytes', label: 'store size after add' },
  { id: 'addDisk', kind: 'bytes', label: 'repo on disk after add (work tree + .git + store)' },
  { id: 'status', kind: 'time', label: 'status, nothing changed (median of N)' },
  { id: 'edit', kind: 'time', label: 'overwrite 1 MiB in the middle, add + commit' },
  { id: 'editGrowth', kind: 'bytes', label: 'store growth from the 1 MiB overwrite' },
  { id: 'append', kind: 'time', label: 'append 10 MiB, add + commit' },
  { id: 'appendGrowth', kind: 'bytes', label: 'store growth from the 10 MiB append' },
  { id: 'checkoutOld', kind: 'time', label: 'switch to v1 (git checkout + restore)' },
  { id: 'checkoutNew', kind: 'time', label: 'switch back to latest' },
];

export const W2_ROWS = [
  { id: 'add', kind: 'time', label: 'add + commit all files (incl. init)' },
  { id: 'addStore', kind: 'bytes', label: 'store size after add' },
  { id: 'addDisk', kind: 'bytes', label: 'repo on disk after add (work tree + .git + store)' },
  { id: 'status', kind: 'time', label: 'status, nothing changed (median of N)' },
  { id: 'statusTouched', kind: 'time', label: 'status after touching every mtime (median of N)' },
  { id: 'modify', kind: 'time', label: 'modify 100 files, add + commit' },
  { id: 'modifyGrowth', kind: 'bytes', label: 'store growth from the 100 modified files' },
  { id: 'checkoutOld', kind: 'time', label: 'check out previous version (HEAD~1)' },
  { id: 'checkoutNew', kind: 'time', label: 'switch back to latest' },
  { id: 'hookCheckoutOld', kind: 'time', label: 'git checkout HEAD~1 alone (trove: its post-checkout hook restores)' },
  { id: 'hookCheckoutNew', kind: 'time', label: 'git checkout latest alone (same)' },
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

/** Remove the work trees of every tool and workload; call after the last measurement. */
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

  /** Mark a successful checkout cell whose work tree is not what it should be. */
  verify(id, actual, expected, what) {
    const cell = this.cells[id];
    if (cell?.ok && actual !== expected) {
      cell.ok = false;
      cell.wrong = true;
      cell.error = `work tree does not match ${what} after checkout`;
      this.log(`${this.tool.name.padEnd(9)} ${id.padEnd(14)} WRONG CONTENT: ${cell.error}`);
    }
  }
}

// ------------------------------------------------------------------ W1

export async function runW1(tool, cfg, env, log) {
  const dir = path.join(cfg.workDir, `w1-${tool.name}`);
  const ctx = new Ctx(tool, dir, env, cfg, log);
  const size = cfg.w1MiB * MiB;
  const editAt = Math.floor(size / 2);
  const editLen = Math.min(1 * MiB, size - editAt);
  const file = path.join(dir, 'big.bin');
  let remote = null;
  try {
    if (cfg.dropCaches) dropPageCache();
    freshRepo(dir, env);
    log(`${tool.name.padEnd(9)} generating ${cfg.w1MiB} MiB big.bin`);
    writeRandomFile(file, size, 'w1/base');
    const h1 = hashFile(file);
    await settleDisks();

    // a. add + commit
    await ctx.timed('add', [...tool.init(), ...tool.add(['big.bin']), ...tool.commit('v1')]);
    ctx.cells.addStore = bytesCell(ctx.store());
    ctx.cells.addDisk = bytesCell(dirBytes(dir));
    const v1 = ctx.rev('HEAD');

    // b. status, nothing changed
    await ctx.repeated('status', tool.status());

    // c. overwrite 1 MiB in the middle, add + commit
    const big = { editPaths: ['big.bin'], addPaths: ['big.bin'] };
    await editStep(ctx, 'edit', 'editGrowth', big, 'v2', () =>
      overwriteRange(file, editAt, editLen, 'w1/edit'),
    );

    // d. append 10 MiB, add + commit
    await editStep(ctx, 'append', 'appendGrowth', big, 'v3', () => appendRandom(file, 10 * MiB, 'w1/append'));
    const h3 = hashFile(file);

    // e. switch to v1 and back
    if (!v1) {
      ctx.cells.checkoutOld = failedCell('no v1 commit (an earlier step failed)');
      ctx.cells.checkoutNew = failedCell('no v1 commit (an earlier step failed)');
    } else {
      await ctx.timed('checkoutOld', tool.checkout(v1));
      ctx.verify('checkoutOld', hashFile(file), h1, 'v1');
      await ctx.timed('checkoutNew', tool.checkout('main'));
      ctx.verify('checkoutNew', hashFile(file), h3, 'the latest version');
    }

    // f. push, then a fresh clone + pull (directory remote, then S3)
    if (cfg.remotes) {
      const check = { digest: (root) => hashFile(path.join(root, 'big.bin')), expected: h3 };
      remote = await runRemotes(tool, cfg, env, log, { wl: 'w1', repo: dir, check, defer: deferRemoval });
    }
  } catch (err) {
    log(`${tool.name.padEnd(9)} harness error: ${err.stack ?? err}`);
    ctx.harnessError = String(err.message ?? err);
  } finally {
    // Not deleted here: on ext4 with online discard, freeing tens of thousands
    // of files makes the next tool's file creates pay several seconds of kernel
    // time (measured: a 20k-file add went from 1.4 s to 6.3 s, sys 10 s). The
    // run removes every work tree once, after the last measurement.
    deferRemoval(dir);
  }
  return withRemote(finish(ctx, W1_ROWS), cfg, ctx, remote);
}

function withRemote(result, cfg, ctx, remote) {
  if (!cfg.remotes) return result;
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
  const dir = path.join(cfg.workDir, `w2-${tool.name}`);
  const ctx = new Ctx(tool, dir, env, cfg, log);
  const layout = w2Layout(cfg.w2Files, cfg.w2PerDir);
  let remote = null;
  try {
    if (cfg.dropCaches) dropPageCache();
    freshRepo(dir, env);
    log(`${tool.name.padEnd(9)} generating ${layout.length} files (${(layoutBytes(layout) / MiB).toFixed(0)} MiB)`);
    writeLayout(dir, layout, 'w2/base');
    const d1 = layoutDigest(dir, layout);
    await settleDisks();

    await ctx.timed('add', [...tool.init(), ...tool.add(['data']), ...tool.commit('v1')]);
    ctx.cells.addStore = bytesCell(ctx.store());
    ctx.cells.addDisk = bytesCell(dirBytes(dir));

    await ctx.repeated('status', tool.status());

    // A new, distinct mtime before every run (in the past, so git does not
    // treat the entries as racily clean forever).
    const base = Math.floor(Date.now() / 1000) - 3600;
    await ctx.repeated('statusTouched', tool.status(), (k) => touchLayout(dir, layout, base + 17 * (k + 1) + 0.25));

    const changed = pickSpread(layout, 100);
    // Unlock (annex) only the files we change; add the whole directory back.
    const paths = { editPaths: changed.map((e) => e.rel), addPaths: ['data'] };
    await editStep(ctx, 'modify', 'modifyGrowth', paths, 'v2', () => rewriteEntries(dir, changed, 'w2/edit'));
    const d2 = layoutDigest(dir, layout);

    await ctx.timed('checkoutOld', tool.checkout('HEAD~1'));
    ctx.verify('checkoutOld', layoutDigest(dir, layout), d1, 'the previous version');
    await ctx.timed('checkoutNew', tool.checkout('main'));
    ctx.verify('checkoutNew', layoutDigest(dir, layout), d2, 'the latest version');

    await hookSwitch(ctx, () => layoutDigest(dir, layout), d1, d2);

    if (cfg.remotes) {
      const check = { digest: (root) => layoutDigest(root, layout), expected: d2 };
      remote = await runRemotes(tool, cfg, env, log, { wl: 'w2', repo: dir, check, defer: deferRemoval });
    }
  } catch (err) {
    log(`${tool.name.padEnd(9)} harness error: ${err.stack ?? err}`);
    ctx.harnessError = String(err.message ?? err);
  } finally {
    // Not deleted here: on ext4 with online discard, freeing tens of thousands
    // of files makes the next tool's file creates pay several seconds of kernel
    // time (measured: a 20k-file add went from 1.4 s to 6.3 s, sys 10 s). The
    // run removes every work tree once, after the last measurement.
    deferRemoval(dir);
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
    await ctx.timed('hookCheckoutOld', tool.hookCheckout('HEAD~1'));
    ctx.verify('hookCheckoutOld', digest(), d1, 'the previous version');
    await ctx.timed('hookCheckoutNew', tool.hookCheckout('main'));
    ctx.verify('hookCheckoutNew', digest(), d2, 'the latest version');
    const undo = await ctx.untimed(tool.uninstallHooks?.() ?? []);
    if (undo) ctx.log(`${tool.name.padEnd(9)} removing the hooks failed: ${undo}`);
  } finally {
    ctx.env = plainEnv;
  }
}

function finish(ctx, rows) {
  const cells = {};
  for (const row of rows) {
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
