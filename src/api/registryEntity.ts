import { TroveError } from '../errors/index.js';
import type { MetricValue } from '../core/registryTypes.js';
import { parseRunNote } from '../core/versionRunNote.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import type { RegistryContext } from '../registry/RegistryContext.js';
import { checkOptions } from './checkOptions.js';

export interface RegistryEntityOptions {
  /** the entity's name */
  readonly name: string;
  /** read the declarations and stage files as of this Git revision (default: the work tree) */
  readonly rev?: string;
}

export interface EntityVersion {
  readonly version: string;
  /** GTO tag, NAME@vX.Y.Z */
  readonly tag: string;
  /** the commit the tag points to */
  readonly commit: string;
  /** tagger date, unix seconds */
  readonly time: number;
  /** "Name <email>" of the tagger */
  readonly author: string;
  readonly dataOid: string;
  readonly dataKind: 'file' | 'dir';
  readonly files: number;
  /** bytes */
  readonly size: number;
  readonly metrics: Readonly<Record<string, MetricValue>>;
  /** lineage: the versions it was made from (GTO tags) */
  readonly uses: readonly string[];
  readonly deprecated: boolean;
  /** the stages that hold it now */
  readonly stages: readonly string[];
  /** the run it was promoted from (trove exp promote), or null */
  readonly experiment: { readonly id: string; readonly checkpoint: string; readonly step: number | null } | null;
}

export interface RegistryEntityResult {
  readonly name: string;
  readonly type: string;
  readonly categories: readonly string[];
  readonly path: string;
  readonly mutability: string;
  readonly description: string;
  readonly deprecated: boolean;
  /** highest version not deprecated; null when none */
  readonly latest: string | null;
  /** configured stages first, then any other stage the entity's file names */
  readonly stageNames: readonly string[];
  /** stage → versions it holds now, newest first (every stage of stageNames is present) */
  readonly stages: Readonly<Record<string, readonly string[]>>;
  /** every version, oldest first (SemVer order), deprecated ones included and flagged */
  readonly versions: readonly EntityVersion[];
  readonly warnings: readonly string[];
}

/**
 * One entity in full: its declaration, every version with its data totals,
 * metrics, lineage, the stages that hold it, and the run it was promoted
 * from. One registry load (one for-each-ref, whose tag messages also carry
 * the run notes): no process per version.
 *
 * @example
 *   const { versions, stages } = await registryEntity(repo, { name: 'modelmnist' });
 *   versions.map((v) => [v.version, v.metrics.accuracy]); // [['v1.0.0', 0.95], ['v2.0.0', 0.9746]]
 */
export async function registryEntity(ctx: RegistryContext, options: RegistryEntityOptions): Promise<RegistryEntityResult> {
  checkOptions('registryEntity', ctx, options, { name: 'string', rev: 'string?' });
  const snapshot = await loadRegistry(ctx, options.rev !== undefined ? { rev: options.rev } : {});
  const e = snapshot.entities.get(options.name);
  if (!e) {
    throw new TroveError('NOT_FOUND', `No entity named ${options.name} is declared.`, { hint: 'trove registry lists the entities.', data: { entity: options.name, known: [...snapshot.entities.keys()].sort() } });
  }
  const messages = new Map(snapshot.tags.map((t) => [t.tag, t.message]));
  const stageNames = ctx.config.registry.stages.map((s) => s.name);
  for (const s of Object.keys(e.stages).sort()) if (!stageNames.includes(s)) stageNames.push(s);
  const stages: Record<string, readonly string[]> = {};
  const heldBy = new Map<string, string[]>();
  for (const s of stageNames) {
    stages[s] = (e.stages[s] ?? []).map((a) => a.version);
    for (const v of stages[s]!) (heldBy.get(v) ?? heldBy.set(v, []).get(v)!).push(s);
  }
  const versions = e.versions.map((v): EntityVersion => {
    const note = parseRunNote(messages.get(v.tag) ?? '');
    return {
      version: v.version,
      tag: v.tag,
      commit: v.commit,
      time: v.time,
      author: v.author,
      dataOid: v.dataOid,
      dataKind: v.dataKind,
      files: v.dataFiles,
      size: v.dataSize,
      metrics: v.metrics,
      uses: v.uses,
      deprecated: v.deprecated,
      stages: heldBy.get(v.version) ?? [],
      experiment: note ? { id: note.experiment, checkpoint: note.checkpoint, step: note.step } : null,
    };
  });
  const latest = [...e.versions].reverse().find((v) => !v.deprecated)?.version ?? null;
  const r = e.record;
  return { name: r.name, type: r.type, categories: r.categories, path: r.path, mutability: r.mutability, description: r.description, deprecated: e.deprecated, latest, stageNames, stages, versions, warnings: [...snapshot.warnings] };
}
