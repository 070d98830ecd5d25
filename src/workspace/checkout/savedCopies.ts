import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../../errors/index.js';
import { atomicWrite } from '../../util/atomicWrite.js';
import { ensureExcluded } from '../stage/gitignore.js';
import { TROVE_DIR, type Repo } from '../Repo.js';

/**
 * A local version that `checkout --force` (or pull/update --force) overwrote,
 * kept in the store under a short id so it can be found and restored
 * (`trove saved`), and kept from gc for a while (DEFAULT_KEEP_SAVED_MS).
 */
export interface SavedCopy {
  /** short and stable: 1, 2, 3, … in the order they were saved */
  readonly id: string;
  /** when it was saved (ISO 8601, UTC) */
  readonly time: string;
  /** repository path it was at */
  readonly path: string;
  readonly oid: string;
  readonly size: number;
}

/** How long gc keeps a saved copy by default (`trove gc --keep-saved` changes it). */
export const DEFAULT_KEEP_SAVED_MS = 30 * 86_400_000;

/** Format of .trove/saved.json (docs/formats.md). */
export const SAVED_FORMAT_VERSION = 1;
const FILE = 'saved.json';

function savedFile(repo: Repo): string {
  return join(repo.troveDir, FILE);
}

/** Every saved copy recorded in this clone, oldest first. */
export function readSavedCopies(repo: Repo): SavedCopy[] {
  let text: string;
  try {
    text = readFileSync(savedFile(repo), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let doc: { version?: unknown; saved?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    throw new TroveError('CONFIG', `${TROVE_DIR}/${FILE} is not valid JSON.`, { hint: `Move it aside (mv ${TROVE_DIR}/${FILE} ${TROVE_DIR}/${FILE}.bad); the copies stay in the store until gc.`, data: { file: `${TROVE_DIR}/${FILE}` } });
  }
  if (typeof doc.version !== 'number' || doc.version > SAVED_FORMAT_VERSION) {
    throw new TroveError('NEWER_FORMAT', `${TROVE_DIR}/${FILE} has format version ${String(doc.version)}, which this trove does not understand.`, { hint: 'Upgrade trove (npm install -g trove@latest).' });
  }
  return Array.isArray(doc.saved) ? (doc.saved as SavedCopy[]) : [];
}

async function writeSavedCopies(repo: Repo, saved: readonly SavedCopy[]): Promise<void> {
  // Keys in a fixed order, one copy per line: readable, and diffable by hand.
  const lines = saved.map((s) => '    ' + JSON.stringify({ id: s.id, time: s.time, path: s.path, oid: s.oid, size: s.size }));
  await ensureExcluded(repo, `/${TROVE_DIR}/${FILE}`, "trove's record of saved local copies (per clone)");
  await atomicWrite(savedFile(repo), `{\n  "version": ${SAVED_FORMAT_VERSION},\n  "saved": [\n${lines.join(',\n')}\n  ]\n}\n`);
}

/** Record copies just put in the store; returns them with their ids. */
export async function recordSavedCopies(repo: Repo, copies: readonly { path: string; oid: string; size: number }[], now = new Date()): Promise<SavedCopy[]> {
  if (copies.length === 0) return [];
  const saved = readSavedCopies(repo);
  let next = saved.reduce((m, s) => Math.max(m, Number(s.id) || 0), 0) + 1;
  const added = copies.map((c) => ({ id: String(next++), time: now.toISOString(), path: c.path, oid: c.oid, size: c.size }));
  await writeSavedCopies(repo, [...saved, ...added]);
  return added;
}

/** Forget the records of copies older than `keepMs` (gc has just let their content go). Returns how many were dropped. */
export async function forgetExpiredCopies(repo: Repo, keepMs: number, now = Date.now()): Promise<number> {
  const saved = readSavedCopies(repo);
  const kept = saved.filter((s) => !isExpired(s, keepMs, now));
  if (kept.length !== saved.length) await writeSavedCopies(repo, kept);
  return saved.length - kept.length;
}

export function isExpired(s: SavedCopy, keepMs: number, now = Date.now()): boolean {
  return Date.parse(s.time) + keepMs < now;
}
