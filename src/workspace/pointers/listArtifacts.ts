import { TroveError } from '../../errors/index.js';
import { formatOid } from '../../core/oid.js';
import { readManifest } from '../../store/manifestIO.js';
import { listRevArtifacts, listWorkArtifacts, type Artifact } from './pointers.js';
import { toRepoPath, type Repo } from '../Repo.js';

export interface ListedArtifact {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  readonly oid: string;
  readonly size: number;
  readonly files?: number;
}

export interface ListedFile {
  /** repository path */
  readonly path: string;
  readonly mode: 'file' | 'executable' | 'symlink';
  readonly size: number;
  readonly oid?: string;
  readonly target?: string;
}

export interface ListResult {
  readonly rev: string | null;
  readonly artifacts: ListedArtifact[];
  /** when a tracked directory (or a folder inside one) was named: the files inside it */
  readonly files?: ListedFile[];
}

/** Tracked artifacts (of the work tree or a revision) and, for a named directory, its files. */
export async function listArtifacts(repo: Repo, options: { rev?: string; path?: string }): Promise<ListResult> {
  const sel = options.path ? [toRepoPath(repo, options.path)] : undefined;
  const found = options.rev ? await listRevArtifacts(repo, options.rev, sel) : await listWorkArtifacts(repo, sel);
  const artifacts = found.map(listedArtifact);
  if (!sel) return { rev: options.rev ?? null, artifacts };
  const target = sel[0]!;
  const files: ListedFile[] = [];
  for (const a of found) {
    if (a.pointer.kind === 'file') {
      files.push({ path: a.path, mode: a.pointer.executable ? 'executable' : 'file', size: a.pointer.size, oid: formatOid(a.pointer.oid) });
      continue;
    }
    const entries = readManifest(repo.store, a.pointer.oid, a.path);
    for (const e of entries) {
      const path = `${a.path}/${e.path}`;
      if (target !== a.path && !path.startsWith(target + '/') && path !== target && !a.path.startsWith(target + '/')) continue;
      files.push(e.mode === 'l' ? { path, mode: 'symlink', size: 0, target: e.target } : { path, mode: e.mode === 'x' ? 'executable' : 'file', size: e.size, oid: formatOid(e.oid) });
    }
  }
  if (files.length === 0 && found.every((a) => a.pointer.kind === 'dir') && !found.some((a) => a.path === target || a.path.startsWith(target + '/'))) {
    throw new TroveError('NOT_TRACKED', `${target} is not in any tracked directory${options.rev ? ` at ${options.rev}` : ''}.`, { hint: 'List tracked paths with trove ls.' });
  }
  return { rev: options.rev ?? null, artifacts, files };
}

/** An artifact as ls (and show) report it. */
export function listedArtifact(a: Artifact): ListedArtifact {
  return { path: a.path, kind: a.pointer.kind, oid: formatOid(a.pointer.oid), size: a.pointer.size, ...(a.pointer.files !== undefined ? { files: a.pointer.files } : {}) };
}
