import { join } from 'node:path';
import { readFileNoFollow } from '../platform/readFileNoFollow.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';

/**
 * Versions registered in this clone whose tag and data `trove push` has not
 * sent yet (per clone, never committed): `.trove/tmp/pending-versions.json`,
 * `{"version":1,"versions":[{tag, kind, oid, path}]}`. trove push sends
 * their data even when the work tree has moved on to a later version, and
 * their tags to the Git remote; without the file it would have to look at
 * every version ever made.
 */
export interface PendingVersion {
  readonly tag: string;
  readonly kind: 'file' | 'dir';
  /** sha256:… */
  readonly oid: string;
  readonly path: string;
}

const FILE = 'tmp/pending-versions.json';

export function readPendingVersions(troveDir: string): PendingVersion[] {
  let text: Buffer | undefined;
  try {
    text = readFileNoFollow(join(troveDir, FILE));
  } catch {
    // no pending file (the usual case): nothing pending; a damaged one only costs the push of old versions' data (see below)
    return [];
  }
  if (!text) return [];
  try {
    const doc = JSON.parse(text.toString('utf8')) as { version?: unknown; versions?: unknown };
    if (doc.version !== 1 || !Array.isArray(doc.versions)) return [];
    return doc.versions.filter((v): v is PendingVersion => typeof v?.tag === 'string' && (v.kind === 'file' || v.kind === 'dir') && typeof v.oid === 'string' && typeof v.path === 'string');
  } catch {
    return []; // a damaged file only costs the push of old versions' data; the tags still go with git push
  }
}

export function addPendingVersion(troveDir: string, v: PendingVersion): void {
  write(troveDir, [...readPendingVersions(troveDir).filter((x) => x.tag !== v.tag), v]);
}

export function clearPendingVersions(troveDir: string, tags: readonly string[]): void {
  const rest = readPendingVersions(troveDir).filter((v) => !tags.includes(v.tag));
  write(troveDir, rest);
}

function write(troveDir: string, versions: readonly PendingVersion[]): void {
  atomicWriteSync(join(troveDir, FILE), JSON.stringify({ version: 1, versions: [...versions].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)).map((v) => ({ tag: v.tag, kind: v.kind, oid: v.oid, path: v.path })) }, null, 1) + '\n');
}
