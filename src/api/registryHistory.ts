import { parseTag } from '../core/registryNames.js';
import { listTagRecords } from '../platform/gitRefs.js';
import { stageHistory } from '../registry/stageHistory.js';
import { checkOptions } from './checkOptions.js';
import { promoteBranchRef } from './promoteBranch.js';
import { parseTime } from './registry.js';
import { isTroveError } from '../errors/index.js';
import type { Repo } from '../workspace/Repo.js';

export type RegistryEventKind = 'register' | 'deprecate' | 'assign' | 'unassign';

export interface RegistryEvent {
  /** unix seconds */
  readonly time: number;
  /** the same, ISO 8601 UTC */
  readonly date: string;
  readonly kind: RegistryEventKind;
  readonly entity: string;
  /** absent for the deprecation of a whole entity */
  readonly version?: string;
  /** assign / unassign */
  readonly stage?: string;
  /** "Name <email>": the tagger, or who promoted */
  readonly author: string;
  /** where it is recorded: a tag, or a commit of the promote branch */
  readonly tag?: string;
  readonly commit?: string;
  /** for a merged promotion: the author of the first-parent commit (who merged it) */
  readonly committedBy?: string;
}

export interface RegistryHistoryOptions {
  /** one entity */
  readonly name?: string;
  /** only events at or after this time */
  readonly since?: string;
}

export interface RegistryHistoryResult {
  readonly branch: string | null;
  readonly events: readonly RegistryEvent[];
  readonly warnings: readonly string[];
}

const ORDER: Record<RegistryEventKind, number> = { register: 0, assign: 1, unassign: 2, deprecate: 3 };

/**
 * Registrations and deprecations (from the tags: tagger and date), and stage
 * assignments and unassignments (from the first-parent history of the
 * promote branch's stage files: when they reached it, and who), oldest first.
 * GTO's own assign tags (NAME#stage#N) of an older GTO repository are listed too.
 * Three git processes in all: for-each-ref, log, cat-file --batch.
 *
 * @example
 *   const { events } = await registryHistory(repo, { name: 'modelmnist' });
 */
export async function registryHistory(repo: Repo, options: RegistryHistoryOptions = {}): Promise<RegistryHistoryResult> {
  checkOptions('registryHistory', repo, options, { name: 'string?', since: 'string?' });
  const since = options.since === undefined ? -Infinity : Math.floor(parseTime(options.since, '--since') / 1000);
  const events: (RegistryEvent & { counter: number })[] = [];
  const add = (e: Omit<RegistryEvent, 'date'>, counter = 0): void => {
    if (options.name !== undefined && e.entity !== options.name) return;
    if (e.time < since) return;
    events.push({ ...e, date: new Date(e.time * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), counter });
  };
  const tags = (await listTagRecords(repo.git)).filter((t) => t.objectType === 'tag'); // GTO drops lightweight tags: no tagger, no date
  // GTO's stage tags name a commit, not a version: the version registered on that commit.
  const versionAt = new Map<string, string>();
  for (const t of tags) {
    const p = parseTag(t.tag);
    if (p?.kind === 'register') versionAt.set(`${p.name}\0${t.commit}`, p.version);
  }
  for (const t of tags) {
    const p = parseTag(t.tag);
    if (!p) continue;
    const base = { time: t.time, entity: p.name, author: t.author, tag: t.tag, commit: t.commit };
    if (p.kind === 'register') add({ ...base, kind: 'register', version: p.version }, p.counter ?? 0);
    else if (p.kind === 'deregister') add({ ...base, kind: 'deprecate', version: p.version }, p.counter ?? 0);
    else if (p.kind === 'deprecate') add({ ...base, kind: 'deprecate' }, p.counter ?? 0);
    else if (p.kind === 'assign' || p.kind === 'unassign') {
      const version = versionAt.get(`${p.name}\0${t.commit}`);
      add({ ...base, kind: p.kind, stage: p.stage, ...(version ? { version } : {}) }, p.counter ?? 0);
    }
  }
  let branch: string | null = null;
  const warnings: string[] = [];
  try {
    const b = await promoteBranchRef(repo);
    branch = b.name;
    const h = await stageHistory(repo, b.ref, options.name ? { entity: options.name } : {});
    warnings.push(...h.warnings);
    for (const e of h.events) add({ time: e.time, kind: e.kind, entity: e.entity, version: e.version, stage: e.stage, author: e.author, commit: e.commit, committedBy: e.committedBy });
  } catch (err) {
    if (!isTroveError(err, 'NOT_FOUND')) throw err;
    warnings.push(err.message);
  }
  // By time; at the same second, registration before assignment before deprecation, then GTO's counter.
  events.sort((a, b) => a.time - b.time || ORDER[a.kind] - ORDER[b.kind] || a.counter - b.counter || (a.entity < b.entity ? -1 : a.entity > b.entity ? 1 : 0));
  return { branch, events: events.map(({ counter: _c, ...e }) => e), warnings };
}
