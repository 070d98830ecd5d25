/**
 * JSON of the registry area's routes (GET /api/registry, /api/entity/:name,
 * /api/lineage), imported as types by the front end. Self-contained (no
 * imports) so the browser's type check never pulls in server code; the routes
 * build these from the api/ results, so the compiler checks they agree.
 * Named ui… beside core/registryTypes.ts, which is the registry's own model.
 */

export type UiMetricValue = number | string;

/** GET /api/registry: every entity (docs/json.md "trove ui API"). */
export interface UiRegistryResponse {
  /** configured stages first, then any other a stage file names */
  readonly stages: readonly string[];
  readonly entities: readonly UiRegistryEntity[];
  readonly warnings: readonly string[];
}

export interface UiRegistryEntity {
  readonly name: string;
  readonly type: string;
  readonly categories: readonly string[];
  readonly path: string;
  readonly deprecated: boolean;
  /** highest version not deprecated, or null */
  readonly latest: string | null;
  /** its tag's time, unix seconds */
  readonly latestTime: number | null;
  /** how many versions */
  readonly versions: number;
  /** stage → versions it holds now, newest first */
  readonly stages: Readonly<Record<string, readonly string[]>>;
}

export interface UiEntityVersion {
  readonly version: string;
  readonly tag: string;
  readonly commit: string;
  /** unix seconds (tagger date) */
  readonly time: number;
  readonly author: string;
  readonly dataOid: string;
  readonly dataKind: 'file' | 'dir';
  readonly files: number;
  readonly size: number;
  readonly metrics: Readonly<Record<string, UiMetricValue>>;
  /** GTO tags of the versions it was made from */
  readonly uses: readonly string[];
  readonly deprecated: boolean;
  /** stages holding it now */
  readonly stages: readonly string[];
  /** the run exp promote made it from */
  readonly experiment: { readonly id: string; readonly checkpoint: string; readonly step: number | null } | null;
}

/** One registration, assignment, unassignment or deprecation (api registryHistory). */
export interface UiStageEvent {
  /** unix seconds */
  readonly time: number;
  /** ISO 8601 UTC */
  readonly date: string;
  readonly kind: 'register' | 'deprecate' | 'assign' | 'unassign';
  readonly version?: string;
  readonly stage?: string;
  readonly author: string;
  readonly committedBy?: string;
  readonly tag?: string;
  readonly commit?: string;
}

/** GET /api/entity/:name */
export interface UiEntityResponse {
  readonly name: string;
  readonly type: string;
  readonly categories: readonly string[];
  readonly path: string;
  readonly mutability: string;
  readonly description: string;
  readonly deprecated: boolean;
  readonly latest: string | null;
  readonly stageNames: readonly string[];
  readonly stages: Readonly<Record<string, readonly string[]>>;
  /** oldest first */
  readonly versions: readonly UiEntityVersion[];
  /** the table of `trove metrics NAME` (seed 002): Date, Tag, Related dataset - (version), Related labels - (version), one column per metric */
  readonly metrics: { readonly columns: readonly string[]; readonly rows: readonly (readonly (string | number | null)[])[] };
  /** the entity's events, oldest first, for the stage timeline */
  readonly history: readonly UiStageEvent[];
  /** the promote branch the assignments were read from (null: none yet) */
  readonly historyBranch: string | null;
  readonly warnings: readonly string[];
}

export type UiLineageNodeKind = 'dataset' | 'labels' | 'model' | 'other' | 'run' | 'data' | 'stage';

export interface UiLineageNode {
  /** v:NAME@vX.Y.Z, run:ID, data:PATH@OID, stage:NAME#STAGE */
  readonly id: string;
  readonly kind: UiLineageNodeKind;
  readonly label: string;
  /** the UI page of the node: #/entity/NAME?v=VERSION, #/run/ID, #/data/PATH, #/entity/NAME */
  readonly href: string;
  readonly entity?: string;
  readonly version?: string;
  readonly stage?: string;
  readonly run?: string;
  readonly path?: string;
  readonly time?: number;
  readonly deprecated?: boolean;
  readonly missing?: boolean;
  readonly focus?: boolean;
}

export interface UiLineageEdge {
  readonly from: string;
  readonly to: string;
  /** uses: made from; input: a run read it; produced: exp promote made it from the run; stage: the stage holds it */
  readonly kind: 'uses' | 'input' | 'produced' | 'stage';
}

/** GET /api/lineage?focus=REF */
export interface UiLineageResponse {
  readonly focus: string | null;
  readonly nodes: readonly UiLineageNode[];
  readonly edges: readonly UiLineageEdge[];
  readonly warnings: readonly string[];
}
