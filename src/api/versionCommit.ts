import { chmodSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import type { VersionRecord } from '../core/registryTypes.js';
import { serializeVersionRecord, versionRecordPath, versionTagMessage } from '../core/versionRecord.js';
import { commitFilesDetailed } from '../platform/gitCommitPaths.js';
import { createAnnotatedTag } from '../platform/gitRefs.js';
import { readFileNoFollow } from '../platform/readFileNoFollow.js';
import { WorkTreeDirs } from '../platform/WorkTreeDirs.js';
import { atomicWrite } from '../util/atomicWrite.js';
import { pointerPathFor } from '../core/pointer.js';
import { writeRegistryFile } from '../registry/writeRegistryFile.js';
import { absPath, type Repo } from '../workspace/Repo.js';

/** A work-tree file and its index entry as they were before trove version touched them. */
interface SavedFile {
  readonly path: string;
  readonly bytes: Buffer | undefined;
  readonly index: { mode: string; blob: string } | undefined;
}

export interface SavedWorkFiles {
  readonly files: readonly SavedFile[];
}

/** The pointer and .gitignore of data path `path` (bytes and index entries), so a refused version puts them back. */
export async function snapshotWorkFiles(repo: Repo, path: string): Promise<SavedWorkFiles> {
  const slash = path.lastIndexOf('/');
  const paths = [pointerPathFor(path), slash < 0 ? '.gitignore' : `${path.slice(0, slash)}/.gitignore`];
  const res = await repo.git.run(['ls-files', '-s', '-z', '--', ...paths.map((p) => `:(literal)${p}`)]);
  const index = new Map<string, { mode: string; blob: string }>();
  for (const rec of res.stdout.toString('utf8').split('\0')) {
    const m = /^(\d+) ([0-9a-f]+) 0\t(.*)$/s.exec(rec);
    if (m) index.set(m[3]!, { mode: m[1]!, blob: m[2]! });
  }
  const dirs = new WorkTreeDirs(repo.root);
  return {
    files: paths.map((p) => {
      const abs = dirs.existingParent(p);
      return { path: p, bytes: abs === undefined ? undefined : readFileNoFollow(abs), index: index.get(p) };
    }),
  };
}

/** Put the saved files and index entries back (after a refusal or a failed tag). */
export async function restoreWorkFiles(repo: Repo, saved: SavedWorkFiles): Promise<void> {
  const dirs = new WorkTreeDirs(repo.root);
  for (const f of saved.files) {
    const now = (() => {
      const abs = dirs.existingParent(f.path);
      return abs === undefined ? undefined : readFileNoFollow(abs);
    })();
    if (f.bytes === undefined) {
      if (now !== undefined) rmSync(absPath(repo, f.path), { force: true });
    } else if (now === undefined || !now.equals(f.bytes)) {
      await atomicWrite(dirs.ensureParent(f.path), f.bytes);
    }
  }
  await setIndexEntries(repo, saved.files.map((f) => ({ path: f.path, entry: f.index })));
}

async function setIndexEntries(repo: Repo, entries: readonly { path: string; entry: { mode: string; blob: string } | undefined }[]): Promise<void> {
  const present = entries.filter((e) => e.entry);
  const absent = entries.filter((e) => !e.entry).map((e) => e.path);
  if (present.length) await repo.git.run(['update-index', '-z', '--index-info'], { input: present.map((e) => `${e.entry!.mode} ${e.entry!.blob}\t${e.path}`).join('\0') + '\0' });
  if (absent.length) await repo.git.run(['update-index', '--force-remove', '--', ...absent]);
}

export interface CommitVersionOptions {
  readonly saved: SavedWorkFiles;
  readonly record: VersionRecord;
  readonly tag: string;
  readonly pointerPath: string;
  /** the entity's declaration (.trove/registry/entities/NAME.yaml), committed with its version when it is new or changed */
  readonly declaration: string;
  readonly message?: string;
}

/**
 * Commit the pointer, its .gitignore and the record onto HEAD (a private
 * index: the user's other staged changes stay staged and out of the
 * commit), then create the annotated tag. If the tag cannot be made, HEAD
 * moves back (only if it is still this commit) and the pointer and index
 * are restored: no commit without its tag. Then the record is written into
 * the work tree and the index entries are set to what was committed, so
 * `git status` shows nothing left over.
 */
export async function commitVersion(repo: Repo, o: CommitVersionOptions): Promise<{ commit: string; warnings: string[] }> {
  const { record } = o;
  const head = await headCommit(repo);
  const recordFile = versionRecordPath(record.entity, record.version);
  const recordText = serializeVersionRecord(record);
  const dirs = new WorkTreeDirs(repo.root);
  const files = o.saved.files.flatMap((f) => {
    const abs = dirs.existingParent(f.path);
    const bytes = abs === undefined ? undefined : readFileNoFollow(abs);
    return bytes === undefined ? [] : [{ path: f.path, content: bytes }];
  });
  if (!files.some((f) => f.path === o.pointerPath)) throw new TroveError('INTERNAL', `The pointer ${o.pointerPath} is missing after the add.`);
  files.push({ path: recordFile, content: Buffer.from(recordText) });
  // A version of an entity that was declared but never committed would reach a clone without its declaration,
  // and no registry command there could name it: the declaration goes into the version's commit.
  // (loadRegistry read it from this path a moment ago and refuses a symlinked registry directory.)
  const declared = readFileNoFollow(join(repo.root, o.declaration));
  if (declared !== undefined) files.push({ path: o.declaration, content: declared });
  const subject = `Register ${record.entity} ${record.version}`;
  const message = o.message && o.message.trim() ? `${subject}\n\n${o.message.trim()}\n` : `${subject}\n`;
  const committed = await commitFilesDetailed(repo.git, { base: head, ref: 'HEAD', expectOld: head, files, message });
  try {
    await createAnnotatedTag(repo.git, o.tag, committed.commit, versionTagMessage(record, o.message));
  } catch (err) {
    await rollback(repo, head, committed.commit, o.saved);
    throw err;
  }
  const warnings: string[] = [];
  try {
    await writeRegistryFile(repo.root, recordFile, recordText);
    await setIndexEntries(repo, [...committed.blobs].map(([path, b]) => ({ path, entry: { mode: b.mode, blob: b.blob } })));
  } catch (err) {
    // Committed and tagged: the version exists; only the work tree's copy of the record is behind.
    warnings.push(`${o.tag} is made, but the work tree could not be updated to match (${(err as Error).message}); git checkout -- ${recordFile} brings the record file back.`);
  }
  return { commit: committed.commit, warnings };
}

async function headCommit(repo: Repo): Promise<string | null> {
  const res = await repo.git.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { allowFail: true });
  return res.code === 0 ? res.stdout.toString('utf8').trim() : null;
}

/** HEAD back to `head` only if it is still `commit` (nobody committed meanwhile); pointer and index as they were. */
async function rollback(repo: Repo, head: string | null, commit: string, saved: SavedWorkFiles): Promise<void> {
  if (head) await repo.git.run(['update-ref', '-m', 'trove: version rolled back', 'HEAD', head, commit], { allowFail: true });
  else await repo.git.run(['update-ref', '-d', 'HEAD', commit], { allowFail: true });
  await restoreWorkFiles(repo, saved);
}

/**
 * Flexible entities: after a version, every file of the data is read-only
 * (ml-git's flexible mutability), so an edit is a deliberate `trove unlock`.
 * Symlinks are not followed. Returns how many files were made read-only.
 */
export function makeReadOnly(repo: Repo, path: string): number {
  let n = 0;
  const walk = (abs: string): void => {
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(abs)) walk(join(abs, name));
      return;
    }
    if (st.isFile()) {
      if (st.mode & 0o222) chmodSync(abs, st.mode & 0o7555);
      n++;
    }
  };
  try {
    walk(absPath(repo, path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return n;
}
