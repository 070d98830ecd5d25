import { TroveError } from '../../errors/index.js';
import { createPointer, dataPathFor, isPointerPath, parsePointer, type Pointer } from '../../core/pointer.js';
import { createOid, formatOid, parseOid, type Oid } from '../../core/oid.js';
import { catBlobs } from '../../platform/git.js';
import { forEachManifestEntry } from '../../store/manifestIO.js';
import { SortedOidSet } from '../../core/SortedOidSet.js';
import { repackStore, type RepackOptions } from '../../store/pack/repack.js';
import { upgradeStoreFormat } from '../../store/storeFormat.js';
import { listWorkPointerPaths, readWorkPointer } from '../pointers/pointers.js';
import { TROVE_DIR, type Repo } from '../Repo.js';
import { DEFAULT_KEEP_SAVED_MS, forgetExpiredCopies, isExpired, readSavedCopies } from '../checkout/savedCopies.js';

export interface GcResult {
  readonly dryRun: boolean;
  /** pointers found in history, index and work tree */
  readonly pointers: number;
  readonly kept: number;
  readonly removed: number;
  readonly freedBytes: number;
  /** copies saved by checkout --force that were kept (younger than keepSavedMs); older ones are forgotten */
  readonly savedKept: number;
  /** local packs: what gc rewrote (docs/reliability.md "Packs and readers") */
  readonly packs: {
    /** new packs sealed */
    readonly written: number;
    /** packs replaced (retired) */
    readonly rewritten: number;
    /** loose objects moved into packs */
    readonly loosePacked: number;
    /** retired packs deleted; waiting ones wait for readers that started before they were retired */
    readonly retiredDeleted: number;
    readonly retiredWaiting: number;
  };
}

/**
 * Remove stored objects that nothing refers to. "Refers" is generous on
 * purpose: every pointer in the history of every ref and every reflog entry
 * (so stashes and commits dropped by a reset are kept while Git keeps them),
 * the index and the work tree. Checking out any commit Git still has must
 * keep working after gc.
 *
 * When gc cannot tell what a live pointer needs (a pointer it cannot parse, a
 * manifest page that is corrupt or missing below a present root) it deletes
 * nothing and says which one: guessing would delete data.
 */
export async function collectGarbage(repo: Repo, options: { dryRun?: boolean; allowShared?: boolean; keepSavedMs?: number; /** more live versions (e.g. experiment checkpoints, which no pointer names) */ extraRoots?: readonly { pointer: Pointer; what: string }[]; /** repack knobs (tests: small packs, limits, lease options) */ repack?: RepackOptions } = {}): Promise<GcResult> {
  if (!repo.privateStore && !options.allowShared) {
    throw new TroveError('USAGE', `The store ${repo.store.dir} is configured as a shared cache; gc here would delete objects that other repositories using it may need.`, {
      hint: 'Run trove gc --allow-shared only if this repository is the only one using that cache.',
    });
  }
  const pointers = await collectPointers(repo);
  const keep = new LiveSet();
  for (const { pointer, what } of pointers) markLive(repo, pointer, what, keep);
  for (const { pointer, what } of options.extraRoots ?? []) markLive(repo, pointer, what, keep);
  // Local versions overwritten by checkout --force stay restorable (trove saved) for the stated time.
  const keepSavedMs = options.keepSavedMs ?? DEFAULT_KEEP_SAVED_MS;
  const saved = readSavedCopies(repo).filter((c) => !isExpired(c, keepSavedMs));
  for (const c of saved) markLive(repo, createPointer({ kind: 'file', oid: parseOid(c.oid, 'a saved copy'), size: c.size }), `saved copy ${c.id} of ${c.path}`, keep);
  keep.oids.seal();
  // The store is streamed, never listed whole: packed entries pack by pack (counted distinct in sets of 32-byte
  // ids outside the heap), loose ones one fan-out directory at a time. A whole listing held ~1 KB per entry
  // (780 MB for gc -n at 1,000,000 objects).
  // The chunks of live large files: one read per live chunk list the store holds, not one lookup per live file (a
  // lookup per file was most of gc's mark at 200k files). A chunk list that cannot be read stops gc here,
  // before anything is deleted.
  const chunks = new SortedOidSet();
  const listsRead = new Set<string>();
  const readList = (hex: string): void => {
    if (listsRead.has(hex) || !keep.oids.has(hex)) return;
    listsRead.add(hex);
    for (const c of repo.store.readChunkList(createOid('sha256', hex)) ?? []) chunks.add(c.oid.hex);
  };
  const packedObjects = new SortedOidSet();
  const packedLists = new SortedOidSet();
  for (const e of repo.store.packs.entriesByPack()) {
    if (e.kind === 'o') packedObjects.add(e.hex);
    else {
      packedLists.add(e.hex);
      readList(e.hex);
    }
  }
  for (const e of repo.store.listLoose()) if (e.kind === 'chunklist') readList(e.oid.hex);
  chunks.seal();
  const isLive = (hex: string): boolean => keep.oids.has(hex) || chunks.has(hex);
  let stored = packedObjects.seal().size + packedLists.seal().size;
  let removed = 0;
  let freedBytes = 0;
  for (const e of repo.store.listLoose()) {
    stored++;
    // Packed entries are dropped by rewriting their pack (repackStore below), never one by one.
    if (isLive(e.oid.hex)) continue;
    removed++;
    freedBytes += e.size;
    if (!options.dryRun) repo.store.remove(e.kind, e.oid);
  }
  // Packs: dead packed entries go by rewriting their pack; live loose small objects are packed (a format-1 store becomes format 2).
  const dir = repo.store.dir;
  const fsync = repo.store.fsync;
  const packs = repackStore(dir, (_kind, hex) => isLive(hex), { fsync, dryRun: Boolean(options.dryRun), beforePublish: () => upgradeStoreFormat(dir, { fsync }), ...options.repack });
  if (!options.dryRun) repo.store.packs.reload();
  removed += packs.entriesDropped;
  freedBytes += packs.droppedBytes;
  if (!options.dryRun) repo.store.removeStaleTemps(STALE_TEMP_MS);
  if (!options.dryRun && removed > 0) repo.store.clearCompleteMarks();
  if (!options.dryRun) await forgetExpiredCopies(repo, keepSavedMs);
  return {
    dryRun: Boolean(options.dryRun),
    pointers: pointers.length,
    kept: stored - removed,
    removed,
    freedBytes,
    savedKept: saved.length,
    packs: { written: packs.packsWritten, rewritten: packs.packsRewritten, loosePacked: packs.loosePacked, retiredDeleted: packs.retiredDeleted, retiredWaiting: packs.retiredWaiting },
  };
}

/**
 * Every pointer version anything in this clone can reach: all refs (remote-
 * tracking ones included) with their reflogs, the index and the work tree.
 * Both gc and gc -r keep exactly what these need.
 */
export async function collectPointers(repo: Repo): Promise<{ pointer: Pointer; what: string }[]> {
  const revList = await repo.git.run(['rev-list', '--objects', '--all', '--reflog']);
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
  const byOid = new Map<string, { pointer: Pointer; what: string }>();
  const contents = await catBlobs(repo.git, [...blobs.keys()]);
  for (const [blob, path] of blobs) {
    const pointer = parsePointer(contents.get(blob) ?? '', `${path} (blob ${blob.slice(0, 10)})`);
    byOid.set(`${pointer.kind}:${pointer.oid.hex}`, { pointer, what: dataPathFor(path) });
  }
  for (const pp of await listWorkPointerPaths(repo)) {
    const pointer = readWorkPointer(repo, dataPathFor(pp));
    if (pointer) byOid.set(`${pointer.kind}:${pointer.oid.hex}`, { pointer, what: dataPathFor(pp) });
  }
  return [...byOid.values()];
}

/**
 * What gc keeps: the live oids as one sorted 32-byte buffer (scale plan S18;
 * a Set of 1M strings was ~150 MB), and the directory versions walked so far;
 * the chunks of live chunk lists go into a second such set after the walk.
 * One set serves both kinds: a chunk list is named by its file's sha256, and
 * every live file keeps both its object and its chunk list, so an oid live as
 * one kind never needs the other deleted.
 */
class LiveSet {
  readonly oids = new SortedOidSet();
  readonly walkedRoots = new Set<string>();
}

function markLive(repo: Repo, pointer: Pointer, what: string, keep: LiveSet): void {
  const add = (oid: Oid): void => keep.oids.add(oid.hex);
  // A file's chunks are marked from its chunk list after the walk (collectGarbage).
  const markFile = add;
  if (pointer.kind === 'file') return markFile(pointer.oid);
  if (keep.walkedRoots.has(pointer.oid.hex)) return; // this directory version was walked already
  keep.walkedRoots.add(pointer.oid.hex);
  // A version whose root page is absent was never fetched here: nothing of it to keep.
  if (!repo.store.hasObject(pointer.oid)) return;
  try {
    // One walk, a leaf at a time: a version's entries are never all held at once.
    forEachManifestEntry(repo.store, pointer.oid, what, add, (e) => {
      if (e.mode !== 'l') markFile(e.oid);
    });
  } catch (err) {
    throw new TroveError('BAD_MANIFEST', `gc stopped without deleting anything: the directory version ${formatOid(pointer.oid).slice(0, 19)}… of ${what} cannot be read completely (${(err as Error).message.replace(/\.$/, '')}).`, {
      hint: 'Run trove fsck, then fetch or re-add that version; gc will run once every live version can be read.',
      cause: err,
      data: { path: what },
    });
  }
}

/** A temp file this old is a killed writer's: no write of one object takes an hour. */
const STALE_TEMP_MS = 3_600_000;
