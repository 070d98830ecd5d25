import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import type { Git } from './git.js';

export interface CommitFile {
  /** repository-relative, '/'-separated */
  readonly path: string;
  /** the new content; null deletes the path */
  readonly content: string | Buffer | null;
  /** Git file mode, default '100644' */
  readonly mode?: '100644' | '100755';
}

export interface CommitFilesOptions {
  /** the parent commit (its tree is the starting point); null for a root commit */
  readonly base: string | null;
  readonly files: readonly CommitFile[];
  readonly message: string;
  /** the ref to move to the new commit (e.g. HEAD, refs/heads/trove/promote/x); none: the commit is only created */
  readonly ref?: string;
  /**
   * What `ref` must hold now for the move to happen (compare-and-swap): a
   * commit id, or null = the ref must not exist. Default: `base`.
   */
  readonly expectOld?: string | null;
}

export interface CommittedFiles {
  readonly commit: string;
  readonly tree: string;
  /** path → blob id written, for the paths that were not deleted */
  readonly blobs: ReadonlyMap<string, { blob: string; mode: string }>;
}

/**
 * Commit `files` on top of `base` WITHOUT touching the user's index or work
 * tree: a private index (GIT_INDEX_FILE in a temp dir) is loaded from base's
 * tree, the blobs are written with hash-object, and the ref moves with
 * update-ref's old-value check, so a concurrent commit is never overwritten
 * (the move fails instead). Other changes the user staged are not swept in,
 * as a plain `git commit` would. Commit hooks do not run (plumbing).
 */
export async function commitFiles(git: Git, options: CommitFilesOptions): Promise<string> {
  return (await commitFilesDetailed(git, options)).commit;
}

/** commitFiles, also returning the tree and the blob ids (to update the user's index entries to match). */
export async function commitFilesDetailed(git: Git, options: CommitFilesOptions): Promise<CommittedFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'trove-index-'));
  const env = { GIT_INDEX_FILE: join(dir, 'index') };
  try {
    if (options.base) await git.run(['read-tree', options.base], { env });
    const blobs = new Map<string, { blob: string; mode: string }>();
    const lines: string[] = [];
    const removed: string[] = [];
    for (const f of options.files) {
      if (f.path === '' || f.path.startsWith('/') || f.path.split('/').some((s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git')) {
        throw new TroveError('UNSAFE_PATH', `Refusing to commit the path "${f.path}".`, { data: { path: f.path } });
      }
      if (f.content === null) {
        removed.push(f.path);
        continue;
      }
      const res = await git.run(['hash-object', '-w', '--stdin'], { input: f.content });
      const blob = res.stdout.toString('utf8').trim();
      const mode = f.mode ?? '100644';
      blobs.set(f.path, { blob, mode });
      lines.push(`${mode} ${blob}\t${f.path}`);
    }
    // --index-info takes "mode sha\tpath" lines; removals go by name (no object id, so SHA-1 and SHA-256 repositories alike).
    if (lines.length) await git.run(['update-index', '-z', '--index-info'], { env, input: lines.join('\0') + '\0' });
    if (removed.length) await git.run(['update-index', '--force-remove', '--', ...removed], { env });
    const tree = (await git.run(['write-tree'], { env })).stdout.toString('utf8').trim();
    const message = options.message.endsWith('\n') ? options.message : options.message + '\n';
    const commit = (await git.run(['commit-tree', tree, ...(options.base ? ['-p', options.base] : []), '-F', '-'], { input: message })).stdout.toString('utf8').trim();
    if (options.ref) await moveRef(git, options.ref, commit, options.expectOld === undefined ? options.base : options.expectOld, options.message);
    return { commit, tree, blobs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * update-ref with the old value (compare-and-swap). An empty old value means
 * "must not exist". A ref that moved since is a GIT error with data.reason
 * 'ref-moved' (someone committed meanwhile): nothing was changed.
 */
async function moveRef(git: Git, ref: string, commit: string, old: string | null, message: string): Promise<void> {
  const res = await git.run(['update-ref', '-m', `trove: ${message.split('\n')[0]}`, ref, commit, old ?? ''], { allowFail: true });
  if (res.code !== 0) {
    throw new TroveError('GIT', `${ref} moved while trove was committing (expected ${old ? old.slice(0, 12) : 'no commit'}); nothing was changed.`, {
      hint: 'Run the command again.',
      data: { ref, expected: old, reason: 'ref-moved', stderr: res.stderr.slice(0, 2000) },
    });
  }
}
