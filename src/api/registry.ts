import type { RegisteredVersion, RegistryEntity } from '../core/registryTypes.js';
import { TroveError } from '../errors/index.js';
import { resolveRev } from '../platform/git.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import { checkOptions } from './checkOptions.js';
import { promoteBranchRef } from './promoteBranch.js';
import type { Repo } from '../workspace/Repo.js';

export interface RegistryOptions {
  /** as it was at this time: the promote branch's first-parent commit before it, and the versions tagged by then */
  readonly at?: string;
  /** as at this Git revision (declarations and stage files of that commit) */
  readonly rev?: string;
  /** only entities of this type */
  readonly type?: string;
}

export interface RegistryEntityRow {
  readonly name: string;
  readonly type: string;
  readonly categories: readonly string[];
  readonly path: string;
  readonly deprecated: boolean;
  /** highest version not deprecated; null when none */
  readonly latest: string | null;
  readonly latestTime: number | null;
  readonly versions: number;
  /** stage → versions it holds now, newest first (every configured stage is present) */
  readonly stages: Readonly<Record<string, readonly string[]>>;
}

export interface RegistryResult {
  /** the commit read (null: the work tree) */
  readonly commit: string | null;
  /** --at: the time asked (ISO), and the branch whose history answered */
  readonly at?: { readonly time: string; readonly branch: string };
  /** stages in the configured order, then any other stage a file holds */
  readonly stages: readonly string[];
  readonly entities: readonly RegistryEntityRow[];
  readonly warnings: readonly string[];
}

/**
 * Every entity with its latest version and what each stage holds now, or
 * as it was at a time or revision. One loadRegistry (one for-each-ref over
 * the tags, the declarations and stage files in one pass): no process per tag.
 *
 * "What was in production on 2025-03-01?" is `registry(repo, {at: '2025-03-01'})`:
 * the stage files of the promote branch's last first-parent commit before
 * that time, which is when a promotion's pull request was merged.
 *
 * @example
 *   const { entities } = await registry(repo, { at: '2025-03-01T00:00:00Z' });
 */
export async function registry(repo: Repo, options: RegistryOptions = {}): Promise<RegistryResult> {
  checkOptions('registry', repo, options, { at: 'string?', rev: 'string?', type: 'string?' });
  if (options.at !== undefined && options.rev !== undefined) throw new TroveError('USAGE', '--at and --rev cannot be combined.', { hint: 'Give one: trove registry --at 2025-03-01 or trove registry --rev v1.0.' });
  let rev: string | undefined;
  let at: RegistryResult['at'];
  let until = Infinity;
  if (options.rev !== undefined) rev = await resolveRev(repo.git, options.rev);
  if (options.at !== undefined) {
    const time = parseTime(options.at, '--at');
    until = Math.floor(time / 1000);
    const branch = await promoteBranchRef(repo);
    const iso = new Date(time).toISOString();
    const res = await repo.git.run(['rev-list', '-1', '--first-parent', `--before=${iso}`, branch.ref]);
    rev = res.stdout.toString('utf8').trim() || undefined;
    at = { time: iso, branch: branch.name };
    if (!rev) return { commit: null, at, stages: repo.config.registry.stages.map((s) => s.name), entities: [], warnings: [`${branch.name} has no commit before ${iso}: the registry was empty then.`] };
  }
  // Versions (and deprecations) tagged after the time did not exist then.
  const snapshot = await loadRegistry(repo, { ...(rev ? { rev } : {}), ...(Number.isFinite(until) ? { tagsUntil: until } : {}) });
  const stageNames = repo.config.registry.stages.map((s) => s.name);
  const extra = new Set<string>();
  const rows: RegistryEntityRow[] = [];
  for (const e of [...snapshot.entities.values()].sort((a, b) => (a.record.name < b.record.name ? -1 : 1))) {
    if (options.type !== undefined && e.record.type !== options.type) continue;
    for (const s of Object.keys(e.stages)) if (!stageNames.includes(s)) extra.add(s);
    rows.push(entityRow(e, until, stageNames));
  }
  return { commit: snapshot.commit, ...(at ? { at } : {}), stages: [...stageNames, ...[...extra].sort()], entities: rows, warnings: [...snapshot.warnings] };
}

function entityRow(e: RegistryEntity, until: number, stageNames: readonly string[]): RegistryEntityRow {
  const versions = e.versions.filter((v) => v.time <= until);
  const latest = [...versions].reverse().find((v: RegisteredVersion) => !v.deprecated) ?? null;
  const stages: Record<string, readonly string[]> = {};
  for (const s of stageNames) stages[s] = (e.stages[s] ?? []).map((a) => a.version);
  for (const [s, list] of Object.entries(e.stages)) if (!(s in stages)) stages[s] = list.map((a) => a.version);
  return { name: e.record.name, type: e.record.type, categories: e.record.categories, path: e.record.path, deprecated: e.deprecated, latest: latest?.version ?? null, latestTime: latest?.time ?? null, versions: versions.length, stages };
}

/** A date or time as the user wrote it (ISO 8601, "2025-03-01", "2025-03-01 12:00"), in ms; USAGE when unreadable. */
export function parseTime(text: string, flag: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2} \d/.test(text) ? text.replace(' ', 'T') : text);
  if (!Number.isFinite(t)) throw new TroveError('USAGE', `${flag} "${text}" is not a date.`, { hint: `Write it as ISO 8601, e.g. ${flag} 2025-03-01 or ${flag} 2025-03-01T12:00:00Z.`, data: { value: text } });
  return t;
}
