import type { ManifestEntry } from '../core/manifest.js';
import { parseOid } from '../core/oid.js';
import type { CheckpointRecord, StoredData } from '../core/experimentRecord.js';
import { defaultCheckpoint, resolveId } from '../experiments/expRuns.js';
import { catFiles, readRun, type Run } from '../experiments/readRuns.js';
import { diffManifests } from '../store/diffManifests.js';
import { readManifest } from '../store/manifestIO.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface ValueChange {
  readonly key: string;
  /** absent on that side: undefined in memory, missing in JSON */
  readonly a?: unknown;
  readonly b?: unknown;
}

export interface ExpDiffSide {
  readonly experiment: string;
  /** the checkpoint compared: the one named, else the run's best, else its latest; null for a run without checkpoints */
  readonly checkpoint: string | null;
  readonly step: number | null;
}

export interface ExpDiffResult {
  readonly a: ExpDiffSide;
  readonly b: ExpDiffSide;
  /** params that differ */
  readonly params: ValueChange[];
  /** metrics of the two checkpoints that differ */
  readonly metrics: ValueChange[];
  /** installed packages whose versions differ */
  readonly packages: ValueChange[];
  /** host, user, command, python, status, primary metric when they differ */
  readonly run: ValueChange[];
  readonly code: {
    readonly a: { readonly commit: string | null; readonly path: string; readonly dirty: string | null };
    readonly b: { readonly commit: string | null; readonly path: string; readonly dirty: string | null };
    readonly same: boolean;
    /** files that differ between the two code versions (commits under path, then uncommitted changes), sorted */
    readonly files: { readonly path: string; readonly change: 'added' | 'deleted' | 'modified' }[];
    /** set when the file list could not be computed (a commit or dirty object not here) */
    readonly incomplete?: string;
  };
  readonly files: {
    readonly a: StoredData | null;
    readonly b: StoredData | null;
    readonly same: boolean;
    /** both directories: the entries that differ (added / deleted / modified) and the bytes of the b side's changed files */
    readonly changes?: { readonly added: number; readonly deleted: number; readonly modified: number; readonly bytesChanged: number; readonly paths: { readonly path: string; readonly change: 'added' | 'deleted' | 'modified' }[] };
    readonly incomplete?: string;
  };
}

/**
 * Compare two runs or checkpoints (Keepsake's `diff`): params, the metrics
 * of the two checkpoints (an experiment stands for its best checkpoint,
 * else its latest), packages, the code (commit and uncommitted changes: the
 * files changed) and the checkpoints' files.
 *
 * @example
 *   const d = await expDiff(repo, { a: '3f2a', b: '9c01' });
 */
export async function expDiff(repo: Repo, options: { readonly a: string; readonly b: string }): Promise<ExpDiffResult> {
  checkOptions('expDiff', repo, options, { a: 'string', b: 'string' });
  const [sa, sb] = [await side(repo, options.a), await side(repo, options.b)];
  const ea = sa.run.experiment;
  const eb = sb.run.experiment;
  const ma = sa.checkpoint?.metrics ?? {};
  const mb = sb.checkpoint?.metrics ?? {};
  const runField = (r: Run): Record<string, unknown> => ({ host: r.experiment.host, user: r.experiment.user, command: r.experiment.command, python: r.experiment.python, status: r.status.status, primary_metric: r.experiment.primary_metric });
  return {
    a: brief(sa),
    b: brief(sb),
    params: changes(ea.params, eb.params),
    metrics: changes(ma, mb),
    packages: changes(ea.packages ?? {}, eb.packages ?? {}),
    run: changes(runField(sa.run), runField(sb.run)),
    code: await codeDiff(repo, sa.run, sb.run),
    files: filesDiff(repo, sa.checkpoint?.data ?? null, sb.checkpoint?.data ?? null),
  };
}

interface Side {
  readonly run: Run;
  readonly checkpoint: CheckpointRecord | null;
}

async function side(repo: Repo, id: string): Promise<Side> {
  const found = await resolveId(repo, id);
  const run = await readRun(repo, found.kind === 'experiment' ? found.id : found.experiment);
  if (found.kind === 'checkpoint') return { run, checkpoint: run.checkpoints.find((c) => c.id === found.id)! };
  return { run, checkpoint: defaultCheckpoint(run) };
}

function brief(s: Side): ExpDiffSide {
  return { experiment: s.run.experiment.id, checkpoint: s.checkpoint?.id ?? null, step: s.checkpoint?.step ?? null };
}

function changes(a: Record<string, unknown>, b: Record<string, unknown>): ValueChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const out: ValueChange[] = [];
  for (const key of keys) {
    const has = (o: Record<string, unknown>): boolean => Object.prototype.hasOwnProperty.call(o, key);
    if (has(a) && has(b) && JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
    out.push({ key, ...(has(a) ? { a: a[key] } : {}), ...(has(b) ? { b: b[key] } : {}) });
  }
  return out;
}

async function codeDiff(repo: Repo, a: Run, b: Run): Promise<ExpDiffResult['code']> {
  const ca = a.experiment.code ?? { commit: null, path: '.', dirty: null };
  const cb = b.experiment.code ?? { commit: null, path: '.', dirty: null };
  const view = (c: typeof ca): { commit: string | null; path: string; dirty: string | null } => ({ commit: c.commit, path: c.path, dirty: c.dirty?.oid ?? null });
  const same = ca.commit === cb.commit && (ca.dirty?.oid ?? null) === (cb.dirty?.oid ?? null) && ca.path === cb.path;
  const files = new Map<string, 'added' | 'deleted' | 'modified'>();
  let incomplete: string | undefined;
  if (!same) {
    if (ca.commit && cb.commit && ca.commit !== cb.commit) {
      const paths = [...new Set([ca.path, cb.path])].map((p) => (p === '' ? '.' : p));
      const r = await repo.git.run(['diff', '--name-status', '--no-renames', '-z', ca.commit, cb.commit, '--', ...paths], { allowFail: true });
      if (r.code !== 0) incomplete = `git cannot compare ${ca.commit.slice(0, 10)} and ${cb.commit.slice(0, 10)} (${r.stderr.split('\n')[0]})`;
      const parts = r.stdout.toString('utf8').split('\0');
      for (let i = 0; i + 1 < parts.length; i += 2) {
        const st = parts[i]!;
        files.set(parts[i + 1]!, st === 'A' ? 'added' : st === 'D' ? 'deleted' : 'modified');
      }
    } else if ((ca.commit === null) !== (cb.commit === null)) incomplete = 'one run was started in a repository without commits';
    const da = ca.dirty;
    const db = cb.dirty;
    if ((da?.oid ?? null) !== (db?.oid ?? null)) {
      try {
        const ea = da ? dirEntries(repo, da) : [];
        const eb = db ? dirEntries(repo, db) : [];
        const ia = new Map(ea.map((e) => [e.path, e]));
        const ib = new Map(eb.map((e) => [e.path, e]));
        const key = (e: ManifestEntry): string => (e.mode === 'l' ? `l:${e.target}` : `${e.mode}:${e.oid.hex}`);
        // A file only one side's changes hold is added (or deleted) unless the other side's commit has it.
        const oneSided: { p: string; side: 'a' | 'b' }[] = [];
        for (const [p, e] of ia) {
          if (!ib.has(p)) oneSided.push({ p, side: 'a' });
          else if (key(ib.get(p)!) !== key(e)) files.set(p, files.get(p) ?? 'modified');
        }
        for (const p of ib.keys()) if (!ia.has(p)) oneSided.push({ p, side: 'b' });
        const other = (side: 'a' | 'b'): string | null => (side === 'a' ? cb.commit : ca.commit);
        const inCommit = await catFiles(repo.git, oneSided.map((x) => (other(x.side) ? `${other(x.side)}:${x.p}` : 'none:none')));
        oneSided.forEach((x, i) => files.set(x.p, files.get(x.p) ?? (inCommit[i] ? 'modified' : x.side === 'b' ? 'added' : 'deleted')));
      } catch (err) {
        incomplete = `the uncommitted changes of a run are not in the local store (${(err as Error).message.replace(/\.$/, '')})`;
      }
    }
  }
  return { a: view(ca), b: view(cb), same, files: [...files].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([path, change]) => ({ path, change })), ...(incomplete ? { incomplete } : {}) };
}

function dirEntries(repo: Repo, d: StoredData): ManifestEntry[] {
  if (d.kind !== 'dir') return [];
  return readManifest(repo.store, parseOid(d.oid, 'the uncommitted changes'), 'the uncommitted changes');
}

function filesDiff(repo: Repo, a: StoredData | null, b: StoredData | null): ExpDiffResult['files'] {
  const same = (a?.oid ?? null) === (b?.oid ?? null);
  if (same || !a || !b || a.kind !== 'dir' || b.kind !== 'dir') return { a, b, same };
  try {
    const d = diffManifests(repo.store, parseOid(a.oid, 'checkpoint a'), parseOid(b.oid, 'checkpoint b'), 'the checkpoints');
    const from = new Map(d.from.map((e) => [e.path, e]));
    const to = new Map(d.to.map((e) => [e.path, e]));
    const paths: { path: string; change: 'added' | 'deleted' | 'modified' }[] = [];
    let bytesChanged = 0;
    for (const p of [...new Set([...from.keys(), ...to.keys()])].sort()) {
      const change = !from.has(p) ? 'added' : !to.has(p) ? 'deleted' : 'modified';
      paths.push({ path: p, change });
      const e = to.get(p);
      if (e && e.mode !== 'l') bytesChanged += e.size;
    }
    const count = (c: string): number => paths.filter((x) => x.change === c).length;
    return { a, b, same, changes: { added: count('added'), deleted: count('deleted'), modified: count('modified'), bytesChanged, paths } };
  } catch (err) {
    return { a, b, same, incomplete: `a checkpoint's listing is not in the local store (${(err as Error).message.replace(/\.$/, '')}); trove exp pull fetches it` };
  }
}

