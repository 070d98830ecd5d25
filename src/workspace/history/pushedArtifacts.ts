import { dataPathFor, isPointerPath, parsePointer } from '../../core/pointer.js';
import { checkRepoPath } from '../../core/repoPath.js';
import { catBlobs } from '../../platform/git.js';
import { isZeroOid, parseRawLog } from '../../platform/parseRawLog.js';
import { parseOid } from '../../core/oid.js';
import { parseTag } from '../../core/registryNames.js';
import { parseVersionRecord } from '../../core/versionRecord.js';
import type { Repo } from '../Repo.js';
import { TROVE_DIR } from '../Repo.js';
import type { SelectedArtifact } from '../pointers/transferArtifacts.js';

/** One line of pre-push's stdin: `<local ref> <local sha> <remote ref> <remote sha>`. */
export interface PushUpdate {
  readonly localRef: string;
  readonly localSha: string;
  readonly remoteRef: string;
  readonly remoteSha: string;
}

/** Parse pre-push's stdin; blank and malformed lines are ignored. */
export function parsePushUpdates(stdin: string): PushUpdate[] {
  const out: PushUpdate[] = [];
  for (const line of stdin.split('\n')) {
    const [localRef, localSha, remoteRef, remoteSha] = line.trim().split(/\s+/);
    if (localRef && localSha && remoteRef && remoteSha && /^[0-9a-f]{7,64}$/i.test(localSha) && /^[0-9a-f]{7,64}$/i.test(remoteSha)) out.push({ localRef, localSha, remoteRef, remoteSha });
  }
  return out;
}

/**
 * The artifacts whose data the pushed commits bring to the other side: every
 * pointer version written by a commit being pushed (the commits reachable
 * from the pushed tips, minus what the remote already has: its old tips and
 * its remote-tracking branches). Like git-lfs, a commit that changes no
 * pointer costs one `git log` and sends nothing. Deleted refs push nothing.
 * `gitRemote`: the Git remote's name (pre-push's first argument), if it is one.
 */
export async function artifactsForPush(repo: Repo, updates: readonly PushUpdate[], gitRemote?: string): Promise<SelectedArtifact[]> {
  const tips = [...new Set(updates.filter((u) => !isZeroOid(u.localSha)).map((u) => u.localSha))];
  if (tips.length === 0) return [];
  const exclude: string[] = [];
  for (const sha of new Set(updates.map((u) => u.remoteSha).filter((s) => !isZeroOid(s)))) {
    // A remote tip we do not have (someone else's push, a force push over it) cannot be excluded by name.
    if ((await repo.git.run(['cat-file', '-e', `${sha}^{commit}`], { allowFail: true })).code === 0) exclude.push(sha);
  }
  if (gitRemote && (await isGitRemote(repo, gitRemote))) exclude.push(`--remotes=${gitRemote}`);
  const res = await repo.git.run(['log', '-z', '--format=', '--raw', '--root', '--no-abbrev', '--no-renames', '--diff-merges=first-parent', ...tips, '--not', ...exclude, '--', '*.trove']);
  const blobs = new Map<string, string>();
  for (const { newMode, newOid, status, path } of parseRawLog(res.stdout).flatMap((c) => c.changes)) {
    if (status === 'D' || !newOid || isZeroOid(newOid) || !/^100[67]/.test(newMode)) continue;
    if (!isPointerPath(path) || path.startsWith(TROVE_DIR + '/')) continue;
    if (!blobs.has(newOid)) blobs.set(newOid, path);
  }
  const contents = await catBlobs(repo.git, [...blobs.keys()]);
  const out = new Map<string, SelectedArtifact>();
  for (const a of await versionTagArtifacts(repo, updates)) out.set(`${a.kind}:${a.oid.hex}`, a);
  for (const [blob, path] of blobs) {
    const pointer = parsePointer(contents.get(blob) ?? '', `${path} (blob ${blob.slice(0, 12)}) in the pushed commits`);
    const what = checkRepoPath(dataPathFor(path), path);
    const key = `${pointer.kind}:${pointer.oid.hex}`;
    if (!out.has(key)) out.set(key, { kind: pointer.kind, oid: pointer.oid, what });
  }
  return [...out.values()];
}

/**
 * Registry version tags being pushed (refs/tags/NAME@vX.Y.Z) are roots of
 * their own: the version's data goes even when its commit is already on the
 * remote (GTO's `register NAME REF` of an old commit, or a tag pushed after
 * its branch). The data is the record in the tag message, one
 * `cat-file --batch` for all of them; an unreadable record sends nothing
 * (registry check reports it), it never stops the push.
 */
async function versionTagArtifacts(repo: Repo, updates: readonly PushUpdate[]): Promise<SelectedArtifact[]> {
  const tagged = updates.filter((u) => !isZeroOid(u.localSha) && u.localRef.startsWith('refs/tags/') && parseTag(u.localRef.slice(10))?.kind === 'register');
  if (tagged.length === 0) return [];
  const objects = await catBlobs(repo.git, tagged.map((u) => u.localSha));
  const out: SelectedArtifact[] = [];
  for (const u of tagged) {
    const text = objects.get(u.localSha)?.toString('utf8');
    if (!text) continue;
    try {
      const record = parseVersionRecord(text.slice(text.indexOf('\n\n') + 2), u.localRef);
      out.push({ kind: record.dataKind, oid: parseOid(record.dataOid), what: checkRepoPath(record.path, u.localRef) });
    } catch {
      /* a lightweight tag, or a record this trove cannot read: nothing of its own to send */
    }
  }
  return out;
}

async function isGitRemote(repo: Repo, name: string): Promise<boolean> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return false; // a URL pushed to directly
  const res = await repo.git.run(['remote'], { allowFail: true });
  return res.stdout.toString('utf8').split('\n').includes(name);
}
