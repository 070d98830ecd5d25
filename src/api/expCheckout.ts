import { lstatSync, readdirSync, readFileSync as readFile, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TroveError } from '../errors/index.js';
import type { CheckpointRecord, StoredData } from '../core/experimentRecord.js';
import type { ManifestEntry } from '../core/manifest.js';
import { parseOid } from '../core/oid.js';
import { checkRepoPath, isContainedLinkTarget, isReservedName } from '../core/repoPath.js';
import { defaultCheckpoint, resolveId } from '../experiments/expRuns.js';
import { readRun, type Run } from '../experiments/readRuns.js';
import { catBlobs } from '../platform/git.js';
import { parseLsTree } from '../platform/parseLsTree.js';
import { WorkTreeDirs } from '../platform/WorkTreeDirs.js';
import { hashFileSync } from '../store/ingestSync.js';
import { readManifest } from '../store/manifestIO.js';
import { tempPathFor } from '../util/atomicWrite.js';
import { mkdirp } from '../util/mkdirp.js';
import { readWorkPointer } from '../workspace/pointers/pointers.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';
import { dataRoot, ensureLocalData } from './expData.js';

export interface ExpCheckoutOptions {
  /** an experiment (its best checkpoint, else its latest) or a checkpoint, by unique id prefix */
  readonly id: string;
  /** write under this directory (relative to the cwd) instead of at the paths the files had in the work tree */
  readonly out?: string;
  /** also write the code as it ran into OUT/code (needs `out`) */
  readonly code?: boolean;
  /** overwrite files whose content differs from the checkpoint's */
  readonly force?: boolean;
  readonly remote?: string;
  /** false: never contact a remote */
  readonly fetch?: boolean;
}

export interface ExpCheckoutResult {
  readonly experiment: string;
  readonly checkpoint: string | null;
  readonly step: number | null;
  /** files written (repository paths when inside the work tree, else absolute), sorted */
  readonly written: string[];
  /** files already holding the checkpoint's content */
  readonly unchanged: string[];
  /** with `code`: where the code went, its commit and whether uncommitted changes were laid over it */
  readonly code?: { readonly dir: string; readonly commit: string | null; readonly path: string; readonly files: number; readonly dirty: boolean };
  /** content fetched from the remote first */
  readonly fetched: { readonly objects: number; readonly bytes: number };
}

type Item = { rel: string; what: string } & ({ kind: 'store'; oid: string; executable: boolean } | { kind: 'blob'; data: Buffer; executable: boolean } | { kind: 'link'; target: string });

/**
 * Write a checkpoint's files: at the path they had (relative to the
 * repository root), or under `out`. Every write is checked as checkout's
 * are: never into .git or .trove, never through a symlinked parent, and a
 * file whose content differs from the checkpoint's is not overwritten
 * without `force` (DIRTY, nothing written). Missing content is fetched from
 * the remote first. With `code`, the code as it ran (the commit's files
 * under the run's code path, with its uncommitted changes laid over them)
 * goes to OUT/code/<its repository paths>.
 *
 * @example
 *   await expCheckout(repo, { id: '3f2a', out: 'best', code: true });
 */
export async function expCheckout(repo: Repo, options: ExpCheckoutOptions): Promise<ExpCheckoutResult> {
  checkOptions('expCheckout', repo, options, { id: 'string', out: 'string?', code: 'boolean?', force: 'boolean?', remote: 'string?', fetch: 'boolean?' });
  if (options.code && options.out === undefined) {
    throw new TroveError('USAGE', 'trove exp checkout --code writes the code beside the files: give a directory with -o.', { hint: 'trove exp checkout ID -o run-best --code', data: { reason: 'code-needs-out' } });
  }
  const found = await resolveId(repo, options.id);
  const run = await readRun(repo, found.kind === 'experiment' ? found.id : found.experiment);
  const ck = found.kind === 'checkpoint' ? run.checkpoints.find((c) => c.id === found.id)! : defaultCheckpoint(run);
  if ((!ck || !ck.data) && !options.code) {
    throw new TroveError('NOT_FOUND', ck ? `Checkpoint ${ck.id.slice(0, 12)} of experiment ${run.experiment.id.slice(0, 12)} recorded metrics only, no files.` : `Experiment ${run.experiment.id.slice(0, 12)} has no checkpoints.`, {
      hint: 'trove exp show ID lists the checkpoints and which have files.',
      data: { experiment: run.experiment.id, checkpoint: ck?.id ?? null, reason: 'no-files' },
    });
  }
  const target = outputTarget(repo, options.out);
  return withLock(repo, 'exp checkout', async () => {
    const roots = [...(ck?.data ? [dataRoot(ck.data, ck.path ?? ck.id)] : []), ...(options.code && run.experiment.code.dirty ? [dataRoot(run.experiment.code.dirty, 'the uncommitted code')] : [])];
    const fetched = await ensureLocalData(repo, roots, { ...(options.remote !== undefined ? { remote: options.remote } : {}), ...(options.fetch !== undefined ? { fetch: options.fetch } : {}) });
    const items: Item[] = ck?.data ? checkpointItems(repo, ck, ck.data) : [];
    let code: ExpCheckoutResult['code'];
    if (options.code) {
      const c = await codeItems(repo, run);
      items.push(...c.items.map((i) => ({ ...i, rel: `code/${i.rel}` })));
      code = { dir: target.show('code'), commit: run.experiment.code.commit, path: run.experiment.code.path, files: c.items.length, dirty: c.dirty };
    }
    const r = await writeItems(repo, target, items, Boolean(options.force));
    return { experiment: run.experiment.id, checkpoint: ck?.id ?? null, step: ck?.step ?? null, ...r, ...(code ? { code } : {}), fetched };
  });
}

interface Target {
  readonly dirs: WorkTreeDirs;
  /** the path passed to `dirs` for a path below the output */
  full(rel: string): string;
  /** how a written path is reported */
  show(rel: string): string;
}

/** Where the files go, checked before anything is read: the work tree itself, a directory inside it, or one outside it. */
function outputTarget(repo: Repo, out: string | undefined): Target {
  if (out === undefined) return { dirs: new WorkTreeDirs(repo.root), full: (rel) => rel, show: (rel) => rel };
  const abs = resolve(repo.cwd, out);
  const inRepo = relative(repo.root, abs);
  if (inRepo === '' || (!inRepo.startsWith('..') && !isAbsolute(inRepo))) {
    const prefix = inRepo.split(sep).join('/');
    if (prefix !== '') checkRepoPath(prefix, '-o');
    const dirs = new WorkTreeDirs(repo.root);
    if (prefix !== '') dirs.ensureDir(prefix, out);
    const full = (rel: string): string => (prefix === '' ? rel : `${prefix}/${rel}`);
    return { dirs, full, show: full };
  }
  const parts = abs.split(sep);
  const reserved = parts.find(isReservedName);
  if (reserved) throw new TroveError('UNSAFE_PATH', `Refusing to write into ${out}: it is inside ${reserved}.`, { hint: 'Choose an output directory outside .git and .trove.', data: { path: out } });
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    // nothing (we can stat) at the output: treated as absent, and writing there reports its own errors
    st = undefined;
  }
  if (st?.isSymbolicLink()) throw new TroveError('UNSAFE_PATH', `Refusing to write through ${out}: it is a symbolic link.`, { hint: 'Give the real directory, or a new one.', data: { path: out } });
  if (st && !st.isDirectory()) throw new TroveError('USAGE', `${out} exists and is not a directory.`, { hint: 'Choose another -o directory.', data: { path: out } });
  mkdirp(abs);
  return { dirs: new WorkTreeDirs(abs), full: (rel) => rel, show: (rel) => `${abs}/${rel}` };
}

/**
 * Place a checkpoint's files at repository path `dest` in the work tree
 * (`exp promote`: at the entity's path). Same checks as expCheckout; for a
 * directory, files under `dest` the checkpoint does not have count as local
 * changes and are removed with `force`, so `dest` holds exactly the
 * checkpoint. The caller holds the lock and has fetched the content.
 */
export async function placeCheckpoint(repo: Repo, ck: CheckpointRecord, data: StoredData, dest: string, force: boolean): Promise<{ written: string[]; unchanged: string[]; removed: string[] }> {
  checkRepoPath(dest, 'the destination');
  const target = outputTarget(repo, undefined);
  const items = checkpointItems(repo, ck, data, dest);
  const saved = trackedContent(repo, dest);
  const extras: string[] = [];
  const abs = target.dirs.existingParent(dest);
  if (abs) {
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      // nothing (we can stat) there: treated as absent, and writing there reports its own errors
      st = undefined;
    }
    if (st && data.kind === 'dir' && st.isDirectory()) {
      const want = new Set(items.map((i) => i.rel));
      for (const f of walkFiles(abs, dest)) if (!want.has(f)) extras.push(f);
    } else if (st && data.kind === 'file' && st.isDirectory()) {
      // An empty directory at the entity's path (made when it was declared) simply goes.
      const inside = walkFiles(abs, dest);
      if (inside.length === 0) rmSync(abs, { recursive: true });
      else extras.push(...inside, dest);
    }
  }
  const unsaved = extras.filter((f) => !(saved.has(f) && isSavedContent(target.dirs.abs(f), saved.get(f)!)));
  if (unsaved.length && !force) {
    throw new TroveError('DIRTY', `${dest} holds files the checkpoint does not have: ${unsaved.slice(0, 5).join(', ')}${unsaved.length > 5 ? ` and ${unsaved.length - 5} more` : ''}.`, {
      hint: 'Move them away, or replace them with --force.',
      data: { paths: unsaved },
    });
  }
  const r = await writeItems(repo, target, items, force, () => {
    for (const f of extras) rmSync(target.dirs.abs(f), { recursive: true, force: true });
  }, saved);
  return { ...r, removed: extras };
}

function walkFiles(abs: string, rel: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(abs, { withFileTypes: true })) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...walkFiles(join(abs, e.name), r));
    else out.push(r);
  }
  return out;
}

function checkpointItems(repo: Repo, ck: CheckpointRecord, data: StoredData, dest?: string): Item[] {
  const base = checkRepoPath(dest ?? ck.path ?? `checkpoint-${ck.id.slice(0, 12)}`, `checkpoint ${ck.id.slice(0, 12)}`);
  if (data.kind === 'file') return [{ rel: base, what: base, kind: 'store', oid: data.oid, executable: false }];
  return readManifest(repo.store, parseOid(data.oid, base), base).map((e) => entryItem(`${base}/${e.path}`, e));
}

function entryItem(rel: string, e: ManifestEntry): Item {
  checkRepoPath(rel, 'a checkpoint listing');
  if (e.mode === 'l') return { rel, what: rel, kind: 'link', target: e.target };
  return { rel, what: rel, kind: 'store', oid: `sha256:${e.oid.hex}`, executable: e.mode === 'x' };
}

/** The commit's files under the run's code path, then its uncommitted changes (a directory object of repository paths) over them. */
async function codeItems(repo: Repo, run: Run): Promise<{ items: Item[]; dirty: boolean }> {
  const c = run.experiment.code;
  const codePath = c.path === '.' || c.path === '' ? '' : checkRepoPath(c.path, 'the run\'s code path');
  const byPath = new Map<string, Item>();
  if (c.commit) {
    const ls = await repo.git.run(['ls-tree', '-r', '-z', '--full-tree', c.commit, '--', ...(codePath ? [codePath] : [])], { allowFail: true });
    if (ls.code !== 0) {
      throw new TroveError('NOT_FOUND', `The commit ${c.commit.slice(0, 12)} the run's code was in is not in this clone.`, { hint: 'Fetch it (git fetch) and run the command again.', data: { commit: c.commit } });
    }
    const entries = parseLsTree(ls.stdout).filter((e) => e.type === 'blob');
    const blobs = await catBlobs(repo.git, [...new Set(entries.map((e) => e.oid))]);
    for (const e of entries) {
      // trove's own committed files (.trove/config.yaml…) are not the code.
      if (e.path.split('/').some(isReservedName)) continue;
      const rel = checkRepoPath(e.path, `commit ${c.commit.slice(0, 12)}`);
      const data = blobs.get(e.oid) ?? Buffer.alloc(0);
      byPath.set(rel, e.mode === '120000' ? { rel, what: rel, kind: 'link', target: data.toString('utf8') } : { rel, what: rel, kind: 'blob', data, executable: e.mode === '100755' });
    }
  }
  // Files the run's work tree had deleted are not part of its code.
  for (const p of c.deleted ?? []) byPath.delete(p);
  if (c.dirty) {
    // Its entries are repository paths (api/experimentSession.ts captureCode).
    const under = (p: string): string => p;
    const entries = c.dirty.kind === 'dir' ? readManifest(repo.store, parseOid(c.dirty.oid, 'the uncommitted code'), 'the uncommitted code') : [];
    for (const e of entries) byPath.set(under(e.path), entryItem(under(e.path), e));
  }
  return { items: [...byPath.values()], dirty: Boolean(c.dirty) };
}

async function writeItems(repo: Repo, target: Target, items: readonly Item[], force: boolean, beforeWrite?: () => void, saved?: ReadonlyMap<string, string>): Promise<{ written: string[]; unchanged: string[] }> {
  // First every check, then every write: a refusal leaves everything as it was.
  const plan: { item: Item; abs: string }[] = [];
  const unchanged: string[] = [];
  const dirty: string[] = [];
  for (const item of items) {
    const abs = target.dirs.existingParent(target.full(item.rel), target.show(item.rel)) ?? null;
    let state = abs ? existing(abs, item) : 'absent';
    // Content trove already holds for this path (the tracked version there) is no local change: overwriting it loses nothing.
    if (state === 'different' && abs && saved?.has(item.rel) && isSavedContent(abs, saved.get(item.rel)!)) state = 'absent';
    if (state === 'same') unchanged.push(target.show(item.rel));
    else {
      if (state === 'different' && !force) dirty.push(target.show(item.rel));
      plan.push({ item, abs: abs ?? '' });
    }
  }
  if (dirty.length) {
    throw new TroveError('DIRTY', `Local changes would be overwritten: ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ` and ${dirty.length - 5} more` : ''}.`, {
      hint: 'Write the checkpoint elsewhere with -o DIR, or overwrite with --force.',
      data: { paths: dirty },
    });
  }
  beforeWrite?.();
  const written: string[] = [];
  for (const { item } of plan) {
    const abs = target.dirs.ensureParent(target.full(item.rel), target.show(item.rel));
    removeIfDir(abs, force);
    if (item.kind === 'store') await repo.store.materialize(parseOid(item.oid, item.what), abs, { what: item.what, strategy: 'copy', executable: item.executable });
    else if (item.kind === 'blob') {
      const tmp = tempPathFor(abs);
      writeFileSync(tmp, item.data, { mode: item.executable ? 0o755 : 0o644 });
      renameSync(tmp, abs);
    } else {
      if (!isContainedLinkTarget(target.full(item.rel), item.target)) {
        repo.reporter.warn(`${item.rel} is a symbolic link pointing outside (${item.target}); it was not written.`, { path: item.rel });
        continue;
      }
      const tmp = tempPathFor(abs);
      symlinkSync(item.target, tmp);
      renameSync(tmp, abs);
    }
    target.dirs.forget(target.full(item.rel));
    written.push(target.show(item.rel));
  }
  return { written: written.sort(), unchanged: unchanged.sort() };
}

function isSavedContent(abs: string, oid: string): boolean {
  try {
    return lstatSync(abs).isFile() && `sha256:${hashFileSync(abs)}` === oid;
  } catch {
    // gone or unreadable: not a saved copy, so the file counts as unsaved and is kept (the safe answer)
    return false;
  }
}

/**
 * path → oid of the content the tracked version at `dest` (its work-tree
 * pointer) has, when the store holds it: files that still hold that are
 * committed data, not local changes.
 */
function trackedContent(repo: Repo, dest: string): Map<string, string> {
  const out = new Map<string, string>();
  const p = readWorkPointer(repo, dest);
  if (!p) return out;
  if (p.kind === 'file') {
    if (repo.store.hasFile(p.oid)) out.set(dest, `sha256:${p.oid.hex}`);
    return out;
  }
  try {
    for (const e of readManifest(repo.store, p.oid, dest)) if (e.mode !== 'l' && repo.store.hasFile(e.oid)) out.set(`${dest}/${e.path}`, `sha256:${e.oid.hex}`);
  } catch {
    /* listing not here: every file counts as a local change */
  }
  return out;
}

/** What is at `abs` compared with the item: the same content, something else, or nothing. */
function existing(abs: string, item: Item): 'same' | 'different' | 'absent' {
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    // nothing (we can stat) at abs: absent, and writing there reports its own errors
    return 'absent';
  }
  if (item.kind === 'link') return 'different';
  if (!st.isFile()) return 'different';
  const hex = hashFileSync(abs);
  if (item.kind === 'store') return `sha256:${hex}` === item.oid || hex === item.oid ? 'same' : 'different';
  return st.size === item.data.length && sameBytes(abs, item.data) ? 'same' : 'different';
}

function sameBytes(abs: string, data: Buffer): boolean {
  return Buffer.compare(readFile(abs), data) === 0;
}

function removeIfDir(abs: string, force: boolean): void {
  try {
    const st = lstatSync(abs);
    if (st.isDirectory() && force) rmSync(abs, { recursive: true, force: true });
  } catch {
    /* absent */
  }
}
