import { TroveError } from '../errors/index.js';
import { STAGE_FORMAT, type RegisteredVersion, type RegistryConfig, type StageAssignment, type StageRecord } from './registryTypes.js';

export interface PromotionInput {
  readonly entity: string;
  /** the entity's deprecation (a NAME@deprecated tag) */
  readonly entityDeprecated: boolean;
  readonly version: RegisteredVersion;
  readonly stage: string;
  /** the entity's stages on the branch promoted against (empty when it has no stage file there) */
  readonly current: Readonly<Record<string, readonly StageAssignment[]>>;
  readonly config: RegistryConfig;
  /** skip the stage order check */
  readonly force?: boolean;
  /** ISO 8601 UTC, seconds */
  readonly assigned: string;
  /** "Name <email>" */
  readonly by: string;
}

export interface PromotionPlan {
  /** the stage file after the promotion */
  readonly record: StageRecord;
  /** the assignment added */
  readonly assignment: StageAssignment;
  /** assignments the stage held that the promotion removes (capacity reached) */
  readonly replaced: readonly StageAssignment[];
  /** what the stage held before (newest first) */
  readonly previous: readonly StageAssignment[];
}

/**
 * The stage file after assigning `version` to `stage`, or the refusal.
 * Rules (docs/registry.md, "Stages and promotion"):
 * - the stage is one of registry.stages;
 * - a deprecated version, or a version of a deprecated entity, is never promoted;
 * - with registry.ordered, the version must hold the stage before (unless force);
 * - a stage holding `versions: N` keeps the N newest: the oldest holders are replaced
 *   (N = 1, GTO's VERSIONS_PER_STAGE, replaces the holder); 0 = unlimited.
 * Refusals are USAGE errors with data.rule: 'stage' | 'deprecated' | 'order' | 'assigned'.
 */
export function planPromotion(input: PromotionInput): PromotionPlan {
  const { entity, version, stage, config } = input;
  const tag = `${entity}@${version.version}`;
  const index = checkStage(config, stage, tag);
  if (version.deprecated || input.entityDeprecated) {
    throw new TroveError('USAGE', `${tag} is deprecated and cannot be promoted.`, { hint: `Promote a version that is not deprecated: trove registry lists them.`, data: { rule: 'deprecated', tag } });
  }
  const previous = input.current[stage] ?? [];
  if (previous.some((a) => a.version === version.version)) {
    throw new TroveError('USAGE', `${tag} already holds stage ${stage}.`, { hint: `trove registry shows what each stage holds.`, data: { rule: 'assigned', tag, stage } });
  }
  if (config.ordered && index > 0 && !input.force) {
    const before = config.stages[index - 1]!.name;
    if (!(input.current[before] ?? []).some((a) => a.version === version.version)) {
      throw new TroveError('USAGE', `${tag} must hold stage ${before} before ${stage} (registry.ordered is on).`, { hint: `trove promote ${tag} --to ${before} first, or add --force.`, data: { rule: 'order', tag, stage, needs: before } });
    }
  }
  const assignment: StageAssignment = { version: version.version, commit: version.commit, assigned: input.assigned, by: input.by };
  const capacity = config.stages[index]!.versions;
  const held = [assignment, ...previous];
  const kept = capacity > 0 ? held.slice(0, capacity) : held;
  const replaced = capacity > 0 ? held.slice(capacity) : [];
  // Configured stages first, in their order; then any other stage the file holds (kept as found).
  const stages: Record<string, readonly StageAssignment[]> = {};
  for (const s of config.stages) if (s.name === stage || input.current[s.name]) stages[s.name] = s.name === stage ? kept : input.current[s.name]!;
  for (const [name, list] of Object.entries(input.current)) if (!(name in stages)) stages[name] = list;
  return { record: { format: STAGE_FORMAT, entity, stages }, assignment, replaced, previous };
}

/** The index of `stage` in registry.stages; USAGE (data.rule 'stage', data.stages) when it is not configured. */
export function checkStage(config: RegistryConfig, stage: string, tag: string): number {
  const index = config.stages.findIndex((s) => s.name === stage);
  if (index < 0) {
    const names = config.stages.map((s) => s.name);
    throw new TroveError('USAGE', `Stage "${stage}" is not one of the stages configured (${names.join(', ')}).`, { hint: `Promote to one of them, e.g. trove promote ${tag} --to ${names[names.length - 1] ?? 'production'}, or add it under registry.stages in .trove/config.yaml.`, data: { rule: 'stage', stage, stages: names } });
  }
  return index;
}
