import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { dataPathFor, isPointerPath, parsePointer, type Pointer } from '../core/pointer.js';
import { catBlobs } from '../platform/git.js';
import { listManifestPages, readManifest } from '../store/manifestIO.js';
import { chunkListFile, objectFile } from '../store/layout.js';
import { listWorkPointerPaths, readWorkPointer } from './pointers.js';
import { TROVE_DIR, type Repo } from './Repo.js';

export interface GcResult {
  readonly dryRun: boolean;
  /** pointers found in history, index and work tree */
  readonly pointers: number;
  readonly kept: number;
  readonly removed: number;
  readonly freedBytes: number;
  readonly warnings: string[];
}

/**
 * Remove stored objects that nothing refers to. "Refers" is generous on
 * purpose: every pointer in the history of every branch and tag, every stash
 * entry, the index and the work tree. Checking out any commit Git still has
 * must keep working after gc.
 */
export async function collectGarbage(repo: Repo, options: { dryRun?: boolean; allowShared?: boolean } = {}): Promise<GcResult> {
  if (!repo.privateStore && !options.allowShared) {
    throw new TroveError('USAGE', `The store ${repo.store.dir} is configured as a shared cache; gc here would delete objects that other repositories using it may need.`, {
      hint: 'Run trove gc --allow-shared only if this repository is the only one using that cache.',
    });
  }
  const warnings: string[] = [];
  const pointers = await collectPointers(repo, warnings);
  const keep = new Set<string>();
  for (const { pointer, what } of pointers) markLive(repo, pointer, what, keep);
  let removed = 0;
  let freedBytes = 0;
  const entries = repo.store.list();
  for (const e of entries) {
    if (keep.has(e.path)) continue;
    removed++;
    freedBytes += e.size;
    if (!options.dryRun) rmSync(e.path, { force: true });
  }
  if (!options.dryRun) cleanTmp(join(repo.store.dir, 'tmp'));
  return { dryRun: Boolean(options.dryRun), pointers: pointers.length, kept: entries.length - removed, removed, freedBytes, warnings };
}

async function collectPointers(repo: Repo, warnings: string[]): Promise<{ pointer: Pointer; what: string }[]> {
  const stashes = (await repo.git.run(['log', '-g', '--format=%H', 'refs/stash'], { allowFail: true })).stdout.toString().split('\n').filter(Boolean);
  const revList = await repo.git.run(['rev-list', '--objects', '--all', ...stashes]);
  const blobs = new Map<string, string>();
  for (const line of revList.stdout.toString('utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const path = line.slice(sp + 1);
    if (isPointerPath(path) && !path.startsWith(TROVE_DIR + '/')) blobs.set(line.slice(0, sp), path);
  }
  const index = await repo.git.run(['ls-files', '-s', '-z', '--', '*.trove']);
  for (const rec of index.stdout.toString('utf8').split('\0')) {
    const m = /^\d+ ([0-9a-f]+) \d\t(.*)$/s.exec(rec);
    if (m && isPointerPath(m[2]!)) blobs.set(m[1]!, m[2]!);
  }
  const out: { pointer: Pointer; what: string }[] = [];
  const contents = await catBlobs(repo.git, [...blobs.keys()]);
  for (const [blob, path] of blobs) {
    try {
      out.push({ pointer: parsePointer(contents.get(blob) ?? '', `${path} (blob ${blob.slice(0, 10)})`), what: dataPathFor(path) });
    } catch (err) {
      warnings.push((err as Error).message);
    }
  }
  for (const pp of await listWorkPointerPaths(repo)) {
    try {
      const p = readWorkPointer(repo, dataPathFor(pp));
      if (p) out.push({ pointer: p, what: dataPathFor(pp) });
    } catch (err) {
      warnings.push((err as Error).message);
    }
  }
  return out;
}

function markLive(repo: Repo, pointer: Pointer, what: string, keep: Set<string>): void {
  const markFile = (oid: Pointer['oid']): void => {
    keep.add(objectFile(repo.store.dir, oid));
    keep.add(chunkListFile(repo.store.dir, oid));
    for (const c of repo.store.readChunkList(oid) ?? []) keep.add(objectFile(repo.store.dir, c.oid));
  };
  if (pointer.kind === 'file') return markFile(pointer.oid);
  if (keep.has(objectFile(repo.store.dir, pointer.oid))) return; // this directory version was walked already
  try {
    for (const page of listManifestPages(repo.store, pointer.oid, what)) keep.add(objectFile(repo.store.dir, page));
    for (const e of readManifest(repo.store, pointer.oid, what)) if (e.mode !== 'l') markFile(e.oid);
  } catch {
    // A version whose manifest is not here has nothing here to keep, except the pages we saw.
    keep.add(objectFile(repo.store.dir, pointer.oid));
  }
}

/** Temp files older than an hour belong to crashed processes. */
function cleanTmp(dir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    try {
      if (Date.now() - statSync(join(dir, n)).mtimeMs > 3_600_000) rmSync(join(dir, n), { force: true, recursive: true });
    } catch {
      /* gone */
    }
  }
}
