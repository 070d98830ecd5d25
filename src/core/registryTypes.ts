/**
 * The registry's data model (issue 14; docs/registry.md, docs/formats.md).
 * Pure types shared by core codecs, registry/ readers and api/ operations.
 * On-disk forms: an entity declaration (.trove/registry/entities/NAME.yaml),
 * a version record (the annotated tag NAME@vX.Y.Z's message, also committed as
 * .trove/registry/versions/NAME/vX.Y.Z.yaml) and a stage file
 * (.trove/registry/stages/NAME.yaml).
 */

export const ENTITY_FORMAT = 1;
export const VERSION_RECORD_FORMAT = 1;
export const STAGE_FORMAT = 1;

/** Registry files live here, relative to the work tree (committed). */
export const REGISTRY_DIR = '.trove/registry';
export const ENTITIES_DIR = `${REGISTRY_DIR}/entities`;
export const VERSIONS_DIR = `${REGISTRY_DIR}/versions`;
export const STAGES_DIR = `${REGISTRY_DIR}/stages`;

export const BUILTIN_TYPES = ['dataset', 'labels', 'model'] as const;
export const MUTABILITIES = ['strict', 'flexible', 'mutable'] as const;
export type Mutability = (typeof MUTABILITIES)[number];
export type Bump = 'major' | 'minor' | 'patch';

/** `.trove/registry/entities/<name>.yaml`, written by `trove create`. */
export interface EntityRecord {
  readonly format: number;
  readonly name: string;
  /** dataset | labels | model | a type declared in registry.types */
  readonly type: string;
  readonly categories: readonly string[];
  /** the tracked data path (a directory artifact, pointer at `${path}.trove`), relative to the work tree, '/'-separated */
  readonly path: string;
  readonly mutability: Mutability;
  readonly description: string;
}

/** A metric value: a finite number, or a string (e.g. "n/a"). */
export type MetricValue = number | string;

/** One version of an entity: the annotated tag's message (authoritative). */
export interface VersionRecord {
  readonly format: number;
  readonly entity: string;
  readonly type: string;
  /** 'v' + SemVer 2.0, e.g. v2.0.0 */
  readonly version: string;
  readonly path: string;
  /** the data: the pointer's oid (sha256:…), kind and totals */
  readonly dataOid: string;
  readonly dataKind: 'file' | 'dir';
  readonly dataSize: number;
  readonly dataFiles: number;
  /** lineage: GTO register tags (NAME@vX.Y.Z) this version was made from, sorted */
  readonly uses: readonly string[];
  /** metrics, sorted by key */
  readonly metrics: Readonly<Record<string, MetricValue>>;
}

/** A VersionRecord as found in the repository: where its tag points and who made it. */
export interface RegisteredVersion extends VersionRecord {
  /** GTO tag name, e.g. mnist@v2.0.0 */
  readonly tag: string;
  /** the commit the tag points to (peeled) */
  readonly commit: string;
  /** tagger date, unix seconds */
  readonly time: number;
  /** "Name <email>" of the tagger */
  readonly author: string;
  /** a later NAME@vX.Y.Z! tag deregistered / deprecated it */
  readonly deprecated: boolean;
}

/** One assignment in a stage file. */
export interface StageAssignment {
  readonly version: string;
  /** the commit the version's tag pointed to when assigned (a re-pointed tag is detected) */
  readonly commit: string;
  /** ISO 8601 UTC */
  readonly assigned: string;
  /** "Name <email>" */
  readonly by: string;
}

/** `.trove/registry/stages/<name>.yaml`. Stage names map to assignments, newest first. */
export interface StageRecord {
  readonly format: number;
  readonly entity: string;
  readonly stages: Readonly<Record<string, readonly StageAssignment[]>>;
}

/** A parsed GTO tag name (gto/constants.py tag_re). */
export type ParsedTag =
  | { readonly kind: 'register'; readonly name: string; readonly version: string; readonly counter?: number }
  | { readonly kind: 'deregister'; readonly name: string; readonly version: string; readonly counter?: number }
  | { readonly kind: 'assign'; readonly name: string; readonly stage: string; readonly counter?: number }
  | { readonly kind: 'unassign'; readonly name: string; readonly stage: string; readonly counter?: number }
  | { readonly kind: 'deprecate'; readonly name: string; readonly counter?: number }
  | { readonly kind: 'create'; readonly name: string; readonly counter?: number };

/** Sampling kinds: ml-git's three plus `stable` (by content hash). */
export type SampleSpec =
  | { readonly kind: 'range'; readonly start: number; readonly stop: number | 'all'; readonly step: number }
  | { readonly kind: 'group'; readonly amount: number; readonly size: number }
  | { readonly kind: 'random'; readonly amount: number; readonly frequency: number }
  | { readonly kind: 'stable'; readonly amount: number; readonly frequency: number };

/** One stage as configured (registry.stages). */
export interface StageConfig {
  readonly name: string;
  /** how many versions the stage holds at once; 0 = unlimited (GTO's VERSIONS_PER_STAGE default is 1) */
  readonly versions: number;
}

/** The `registry:` section of .trove/config.yaml. */
export interface RegistryConfig {
  /** asset types accepted by `trove create` (the built-ins plus the team's own) */
  readonly types: readonly string[];
  readonly stages: readonly StageConfig[];
  /** a promotion to a stage needs the version to hold the stage before it (unless --force) */
  readonly ordered: boolean;
  /** the branch promotions are proposed against */
  readonly branch: string;
  /** the default of `trove version NAME` with neither --bump nor --version */
  readonly bump: Bump;
}

export const DEFAULT_REGISTRY: RegistryConfig = {
  types: [...BUILTIN_TYPES],
  stages: [
    { name: 'dev', versions: 0 },
    { name: 'staging', versions: 0 },
    { name: 'production', versions: 1 },
  ],
  ordered: false,
  branch: 'main',
  bump: 'major',
};

/** One declared entity with everything the registry knows about it at one revision. */
export interface RegistryEntity {
  readonly record: EntityRecord;
  /** the declaration's path, e.g. .trove/registry/entities/mnist.yaml */
  readonly file: string;
  /** a NAME@deprecated tag exists */
  readonly deprecated: boolean;
  /** every registered version, SemVer ascending (deregistered ones included, flagged) */
  readonly versions: readonly RegisteredVersion[];
  /** stage name → assignments (from the stage file), newest first */
  readonly stages: Readonly<Record<string, readonly StageAssignment[]>>;
}

/** The registry as of one revision (or the work tree): the one snapshot every read command uses. */
export interface RegistrySnapshot {
  /** the commit the declarations and stage files were read from; null = the work tree */
  readonly commit: string | null;
  readonly entities: ReadonlyMap<string, RegistryEntity>;
  /** unreadable tags or records that were skipped, one sentence each naming the tag or file */
  readonly warnings: readonly string[];
}

/** A resolved reference (NAME, NAME@latest, NAME@vX.Y.Z, NAME@X, NAME#STAGE, or an ml-git tag). */
export interface ResolvedRef {
  readonly entity: RegistryEntity;
  readonly version: RegisteredVersion;
}
