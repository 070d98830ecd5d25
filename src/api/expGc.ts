import { TroveError } from '../errors/index.js';
import { EXPERIMENT_FILES, EXPERIMENT_REF_PREFIX, serializeCheckpoints, type CheckpointRecord, type StoredData } from '../core/experimentRecord.js';
import { bestCheckpoint, serializeCommitMessage, summarizeRun } from '../core/runSummary.js';
import { createOid, parseOid, type Oid } from '../core/oid.js';
import { createPointer, type Pointer } from '../core/pointer.js';
import { readAllRuns } from '../experiments/expRuns.js';
import type { Run } from '../experiments/readRuns.js';
import { listManifestPages, readManifest } from '../store/manifestIO.js';
import { parseStoredKey, storedKey } from '../store/ContentStore.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { isProcessAlive } from '../util/isProcessAlive.js';
import { collectPointers } from '../workspace/gc/collectGarbage.js';
import { readSavedCopies } from '../workspace/checkout/savedCopies.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface ExpGcOptions {
  /** per run, keep the K checkpoints best by its primary metric */
  readonly keepBest: number;
  /** and the N latest (default 0) */
  readonly keepLast?: number;
  /** report only: no ref moves, nothing is deleted */
  readonly dryRun?: boolean;
}

export interface ExpGcResult {
  readonly dryRun: boolean;
  /** checkpoints dropped from their runs */
  readonly removed: { readonly experiment: string; readonly checkpoint: string; readonly step: number | null }[];
  /** checkpoints kept, over all runs */
  readonly kept: number;
  /** bytes of store files only the dropped checkpoints used (nothing kept, no other run, no commit, no saved copy) */
  readonly bytesFreed: number;
  readonly objectsFreed: number;
  /** true when those files were deleted from the store (false on a dry run, or while a run is live: then trove gc deletes them later) */
  readonly deleted: boolean;
  /** runs left alone because they are still running */
  readonly skipped: string[];
}

/**
 * Checkpoint retention: per run keep the `keepBest` best checkpoints by its
 * primary metric (a run without one keeps its `keepBest` latest) and the
 * `keepLast` latest, and drop the others from the run (a new commit on the
 * run's ref, its parent the previous one). The store files that only the
 * dropped checkpoints used are counted (`bytesFreed`) and deleted, so the
 * bytes come back now: a file is kept when anything else names it: a kept
 * checkpoint, another run, a run's code, what `trove gc` keeps for Git
 * history (every pointer in every ref, reflog, index and work tree) or a
 * saved copy. While any run is live nothing is deleted (a live writer may be
 * deduplicating against those very files); `trove gc` removes them later.
 *
 * @example
 *   const r = await expGc(repo, { keepBest: 3, keepLast: 1, dryRun: true });
 */
export async function expGc(repo: Repo, options: ExpGcOptions): Promise<ExpGcResult> {
  checkOptions('expGc', repo, options, { keepBest: 'number', keepLast: 'number?', dryRun: 'boolean?' });
  const keepLast = options.keepLast ?? 0;
  for (const [flag, n] of [['--keep-best', options.keepBest], ['--keep-last', keepLast]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new TroveError('USAGE', `${flag} takes a whole number ≥ 0, not ${n}.`, { hint: 'trove exp gc --keep-best 3 --keep-last 1', data: { reason: 'bad-count', flag } });
  }
  if (options.keepBest + keepLast === 0) throw new TroveError('USAGE', 'Keeping 0 best and 0 latest checkpoints would empty every run.', { hint: 'Remove whole runs with trove exp rm; exp gc keeps at least one checkpoint per run.', data: { reason: 'keep-nothing' } });
  const dryRun = Boolean(options.dryRun);
  return withLock(repo, 'gc', async () => {
    const runs = await readAllRuns(repo);
    const skipped: string[] = [];
    const live = runs.some((r) => r.status.status === 'running' && (r.status.pid === null || isProcessAlive(r.status.pid)));
    const plan: { run: Run; keep: CheckpointRecord[]; drop: CheckpointRecord[] }[] = [];
    for (const run of runs) {
      if (run.status.status === 'running' || run.journal) {
        skipped.push(run.experiment.id);
        plan.push({ run, keep: [...run.checkpoints], drop: [] });
        continue;
      }
      const keepIds = retained(run.checkpoints, run.experiment.primary_metric, options.keepBest, keepLast);
      plan.push({ run, keep: run.checkpoints.filter((c) => keepIds.has(c.id)), drop: run.checkpoints.filter((c) => !keepIds.has(c.id)) });
    }
    // What the dropped checkpoints name, minus what anything kept names.
    const dead = new Set<string>();
    for (const p of plan) for (const c of p.drop) if (c.data) markData(repo.store, c.data, c.path ?? c.id, dead, true);
    let bytesFreed = 0;
    const freed: string[] = [];
    if (dead.size > 0) {
      const live_ = new Set<string>();
      for (const p of plan) {
        for (const c of p.keep) if (c.data) markData(repo.store, c.data, c.path ?? c.id, live_, false);
        if (p.run.experiment.code.dirty) markData(repo.store, p.run.experiment.code.dirty, 'run code', live_, false);
      }
      for (const { pointer, what } of await collectPointers(repo)) markPointer(repo.store, pointer, what, live_);
      for (const s of readSavedCopies(repo)) markPointer(repo.store, createPointer({ kind: 'file', oid: parseOid(s.oid, 'a saved copy'), size: s.size }), s.path, live_);
      for (const f of dead) {
        if (live_.has(f)) continue;
        const { kind, hex } = parseStoredKey(f);
        const stored = repo.store.entry(kind, createOid('sha256', hex));
        if (!stored) continue; // not here
        bytesFreed += stored.size;
        freed.push(f);
      }
    }
    const removed = plan.flatMap((p) => p.drop.map((c) => ({ experiment: p.run.experiment.id, checkpoint: c.id, step: c.step })));
    if (!dryRun) {
      await rewriteRuns(repo, plan.filter((p) => p.drop.length > 0));
      if (!live) {
        for (const f of freed) {
          const { kind, hex } = parseStoredKey(f);
          repo.store.remove(kind, createOid('sha256', hex));
        }
      }
      if (!live && freed.length) repo.store.clearCompleteMarks();
    }
    return { dryRun, removed, kept: plan.reduce((s, p) => s + p.keep.length, 0), bytesFreed, objectsFreed: freed.length, deleted: !dryRun && !live && freed.length > 0, skipped };
  });
}

/** Ids of the checkpoints a run keeps: the K best by its primary metric (the K latest without one) and the N latest. */
export function retained(cks: readonly CheckpointRecord[], pm: { name: string; goal: 'minimize' | 'maximize' } | null, keepBest: number, keepLast: number): Set<string> {
  const keep = new Set<string>();
  for (const c of cks.slice(Math.max(0, cks.length - keepLast))) keep.add(c.id);
  if (!pm) {
    for (const c of cks.slice(Math.max(0, cks.length - keepBest))) keep.add(c.id);
    return keep;
  }
  let rest = [...cks];
  for (let i = 0; i < keepBest; i++) {
    const b = bestCheckpoint(rest, pm);
    if (!b) break;
    keep.add(b.id);
    rest = rest.filter((c) => c.id !== b.id);
  }
  return keep;
}

function markData(store: ObjectStore, d: StoredData, what: string, into: Set<string>, tolerant: boolean): void {
  markPointer(store, d.kind === 'dir' ? createPointer({ kind: 'dir', oid: parseOid(d.oid, what), size: d.size, files: d.files }) : createPointer({ kind: 'file', oid: parseOid(d.oid, what), size: d.size }), what, into, tolerant);
}

/** The store entries (storedKey) a pointer's content needs (as `trove gc` marks them). */
function markPointer(store: ObjectStore, pointer: Pointer, what: string, into: Set<string>, tolerant = false): void {
  const markFile = (oid: Oid): void => {
    into.add(storedKey('object', oid));
    into.add(storedKey('chunklist', oid));
    for (const c of store.readChunkList(oid) ?? []) into.add(storedKey('object', c.oid));
  };
  if (pointer.kind === 'file') return markFile(pointer.oid);
  if (into.has(storedKey('object', pointer.oid)) || !store.hasObject(pointer.oid)) return;
  try {
    for (const page of listManifestPages(store, pointer.oid, what)) into.add(storedKey('object', page));
    for (const e of readManifest(store, pointer.oid, what)) if (e.mode !== 'l') markFile(e.oid);
  } catch (err) {
    if (tolerant) return; // a dropped checkpoint we cannot read: count less, delete less
    throw new TroveError('BAD_MANIFEST', `exp gc stopped without changing anything: the directory ${what} cannot be read completely (${(err as Error).message.replace(/\.$/, '')}).`, {
      hint: 'Run trove fsck, then fetch or re-add that version; exp gc runs once every kept version can be read.',
      cause: err,
      data: { path: what },
    });
  }
}

/**
 * New commits on the runs' refs whose checkpoints.jsonl holds only the kept
 * checkpoints, parent the previous commit, written by ONE `git fast-import`
 * (1,000 runs in a second, not 5,000 git processes). fast-import refuses to
 * move a ref that is not an ancestor of the new commit, so a run that a
 * writer moved meanwhile is not overwritten (GIT error, nothing of it lost).
 */
async function rewriteRuns(repo: Repo, runs: readonly { run: Run; keep: readonly CheckpointRecord[] }[]): Promise<void> {
  if (runs.length === 0) return;
  const parts: Buffer[] = [];
  const data = (text: string): void => {
    const b = Buffer.from(text, 'utf8');
    parts.push(Buffer.from(`data ${b.length}\n`), b, Buffer.from('\n'));
  };
  const when = Math.floor(Date.now() / 1000);
  for (const { run, keep } of runs) {
    parts.push(Buffer.from(`commit ${EXPERIMENT_REF_PREFIX}${run.experiment.id}\ncommitter trove <trove@localhost> ${when} +0000\n`));
    data(serializeCommitMessage(summarizeRun({ experiment: run.experiment, checkpoints: keep, status: run.status })));
    parts.push(Buffer.from(`from ${run.commit}\nM 100644 inline ${EXPERIMENT_FILES.checkpoints}\n`));
    data(serializeCheckpoints(keep));
    parts.push(Buffer.from('\n'));
  }
  await repo.git.run(['fast-import', '--quiet'], { input: Buffer.concat(parts) });
}
