import { rmSync, statSync } from 'node:fs';
import { TroveError } from '../errors/index.js';
import { EXPERIMENT_FILES, EXPERIMENT_REF_PREFIX, bestCheckpoint, serializeCheckpoints, serializeCommitMessage, summarizeRun, type CheckpointRecord, type StoredData } from '../core/experimentRecord.js';
import { parseOid, type Oid } from '../core/oid.js';
import { createPointer, type Pointer } from '../core/pointer.js';
import { listRunRefs, readRun, type Run } from '../experiments/readRuns.js';
import { listManifestPages, readManifest } from '../store/manifestIO.js';
import { chunkListFile, objectFile } from '../store/layout.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { isProcessAlive } from '../util/isProcessAlive.js';
import { collectPointers } from '../workspace/collectGarbage.js';
import { readSavedCopies } from '../workspace/savedCopies.js';
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
    const refs = await listRunRefs(repo);
    const runs: Run[] = [];
    for (const r of refs) runs.push(await readRun(repo, r.id));
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
        try {
          bytesFreed += statSync(f).size;
          freed.push(f);
        } catch {
          /* not here */
        }
      }
    }
    const removed = plan.flatMap((p) => p.drop.map((c) => ({ experiment: p.run.experiment.id, checkpoint: c.id, step: c.step })));
    if (!dryRun) {
      for (const p of plan) if (p.drop.length > 0) await rewriteRun(repo, p.run, p.keep);
      if (!live) for (const f of freed) rmSync(f, { force: true });
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

/** The store files a pointer's content needs (as `trove gc` marks them). */
function markPointer(store: ObjectStore, pointer: Pointer, what: string, into: Set<string>, tolerant = false): void {
  const markFile = (oid: Oid): void => {
    into.add(objectFile(store.dir, oid));
    into.add(chunkListFile(store.dir, oid));
    for (const c of store.readChunkList(oid) ?? []) into.add(objectFile(store.dir, c.oid));
  };
  if (pointer.kind === 'file') return markFile(pointer.oid);
  if (into.has(objectFile(store.dir, pointer.oid)) || !store.hasObject(pointer.oid)) return;
  try {
    for (const page of listManifestPages(store, pointer.oid, what)) into.add(objectFile(store.dir, page));
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

const RUN_IDENTITY = { GIT_AUTHOR_NAME: 'trove', GIT_AUTHOR_EMAIL: 'trove@localhost', GIT_COMMITTER_NAME: 'trove', GIT_COMMITTER_EMAIL: 'trove@localhost' };

/** A new commit on the run's ref whose checkpoints.jsonl holds only `keep` (parent: the previous commit). */
async function rewriteRun(repo: Repo, run: Run, keep: readonly CheckpointRecord[]): Promise<void> {
  const commit = run.commit!;
  const blob = (await repo.git.run(['hash-object', '-w', '--stdin'], { input: serializeCheckpoints(keep) })).stdout.toString('utf8').trim();
  const ls = (await repo.git.run(['ls-tree', '-z', commit])).stdout.toString('utf8').split('\0').filter(Boolean);
  let replaced = false;
  const lines = ls.map((rec) => {
    const tab = rec.indexOf('\t');
    if (rec.slice(tab + 1) !== EXPERIMENT_FILES.checkpoints) return rec;
    replaced = true;
    return `100644 blob ${blob}\t${EXPERIMENT_FILES.checkpoints}`;
  });
  if (!replaced) lines.push(`100644 blob ${blob}\t${EXPERIMENT_FILES.checkpoints}`);
  const tree = (await repo.git.run(['mktree', '-z'], { input: lines.join('\0') + '\0' })).stdout.toString('utf8').trim();
  const message = serializeCommitMessage(summarizeRun({ experiment: run.experiment, checkpoints: keep, status: run.status }));
  const next = (await repo.git.run(['commit-tree', tree, '-p', commit, '-F', '-'], { input: message, env: RUN_IDENTITY })).stdout.toString('utf8').trim();
  await repo.git.run(['update-ref', `${EXPERIMENT_REF_PREFIX}${run.experiment.id}`, next, commit]);
}
