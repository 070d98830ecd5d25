import { isTroveError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import type { Pointer } from '../../core/pointer.js';
import { readManifest } from '../../store/manifestIO.js';
import { listRevArtifacts, listWorkArtifacts, type Artifact } from '../pointers/pointers.js';
import { toRepoPath, type Repo } from '../Repo.js';
import { diffEntries, isUnchanged, pointerAsEntry, readWorkState, type EntryChanges } from '../scan/workState.js';
import { diffDirToWork, diffStoredDirs } from './diffDirs.js';

export interface ArtifactDiff {
  readonly path: string;
  readonly change: 'added' | 'deleted' | 'modified';
  readonly kind: 'file' | 'dir';
  readonly oldSize?: number;
  readonly newSize?: number;
  /** directories: file-level changes; absent when a side's manifest is not in the local store */
  readonly files?: EntryChanges;
}

export interface DiffResult {
  readonly from: string;
  /** a revision, or "workspace" */
  readonly to: string;
  readonly artifacts: ArtifactDiff[];
}

interface Side {
  readonly artifacts: Map<string, Artifact>;
  /** entries of an artifact on this side, or undefined when unknown (manifest not in store) */
  entries(a: Artifact): Promise<ManifestEntry[] | undefined>;
  readonly live: boolean;
}

/** What changed in tracked data between two revisions, or a revision and the work tree. */
export async function diffRevs(repo: Repo, options: { from?: string; to?: string; paths?: readonly string[] }): Promise<DiffResult> {
  const paths = (options.paths ?? []).map((p) => toRepoPath(repo, p));
  const from = options.from ?? 'HEAD';
  const a = await revSide(repo, from, paths);
  const b = options.to ? await revSide(repo, options.to, paths) : await workSide(repo, paths);
  const all = [...new Set([...a.artifacts.keys(), ...b.artifacts.keys()])].sort();
  const out: ArtifactDiff[] = [];
  for (const path of all) {
    const x = a.artifacts.get(path);
    const y = b.artifacts.get(path);
    if (!y) out.push({ path, change: 'deleted', kind: x!.pointer.kind, oldSize: x!.pointer.size });
    else if (!x) out.push({ path, change: 'added', kind: y.pointer.kind, newSize: y.pointer.size });
    else {
      if (!b.live && samePointer(x.pointer, y.pointer)) continue;
      // Two directories: only the pages (and, against the work tree, the chunks) that differ are read.
      const dirs = b.live ? await diffDirToWork(repo, x, y) : diffStoredDirs(repo, x, y);
      if (dirs) {
        if (!isUnchanged(dirs.files)) out.push({ path, change: 'modified', kind: 'dir', oldSize: x.pointer.size, newSize: dirs.newSize, files: dirs.files });
        continue;
      }
      const [ex, ey] = [await a.entries(x), await b.entries(y)];
      if (ex && ey) {
        const files = diffEntries(ex, ey);
        if (isUnchanged(files) && x.pointer.kind === y.pointer.kind) continue;
        const newSize = ey.reduce((s, e) => s + e.size, 0);
        out.push({ path, change: 'modified', kind: y.pointer.kind, oldSize: x.pointer.size, newSize, ...(x.pointer.kind === 'dir' && y.pointer.kind === 'dir' ? { files } : {}) });
      } else if (!samePointer(x.pointer, y.pointer)) {
        out.push({ path, change: 'modified', kind: y.pointer.kind, oldSize: x.pointer.size, newSize: y.pointer.size });
      }
    }
  }
  return { from, to: options.to ?? 'workspace', artifacts: out };
}

function samePointer(p: Pointer, q: Pointer): boolean {
  return p.kind === q.kind && p.oid.hex === q.oid.hex && Boolean(p.executable) === Boolean(q.executable);
}

function storedEntries(repo: Repo, a: Artifact): ManifestEntry[] | undefined {
  if (a.pointer.kind === 'file') return [pointerAsEntry(a.pointer)];
  try {
    return readManifest(repo.store, a.pointer.oid, a.path);
  } catch (err) {
    if (isTroveError(err, 'OBJECT_MISSING')) return undefined;
    throw err;
  }
}

async function revSide(repo: Repo, rev: string, paths: readonly string[]): Promise<Side> {
  // An unborn branch (no commit yet) has no data: diff against nothing, as git diff does.
  const unborn = rev === 'HEAD' && (await repo.git.run(['rev-parse', '--verify', '--quiet', 'HEAD'], { allowFail: true })).code !== 0;
  const list = unborn
    ? []
    : await listRevArtifacts(repo, rev, paths.length ? paths : undefined).catch((err) => {
        if (isTroveError(err, 'NOT_TRACKED')) return [];
        throw err;
      });
  return { artifacts: new Map(list.map((x) => [x.path, x])), entries: async (x) => storedEntries(repo, x), live: false };
}

/** The work tree: the data as it is on disk; where data is absent, its pointer. */
async function workSide(repo: Repo, paths: readonly string[]): Promise<Side> {
  const list = await listWorkArtifacts(repo, paths.length ? paths : undefined).catch((err) => {
    if (isTroveError(err, 'NOT_TRACKED')) return [];
    throw err;
  });
  return {
    artifacts: new Map(list.map((x) => [x.path, x])),
    live: true,
    async entries(x) {
      const work = await readWorkState(repo, x.path);
      if (work.kind === 'file') return [work.entry];
      if (work.kind === 'dir') return work.entries;
      return storedEntries(repo, x);
    },
  };
}
