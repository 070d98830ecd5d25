/**
 * JSON of the run area's routes (`/api/run/:id`, its files, `/api/compare`).
 * Self-contained types (the front end imports them and
 * type-checks without Node's). Numbers that are NaN or ±Infinity travel as
 * `{"$float": "NaN" | "Infinity" | "-Infinity"}`, as in trove's --json.
 */

export interface StoredDataJson {
  readonly kind: 'file' | 'dir';
  /** "sha256:<hex>" */
  readonly oid: string;
  readonly size: number;
  readonly files: number;
}

/** What one checkpoint costs in the local store (see docs/ui.md, "A run"). */
export interface CheckpointStoreJson {
  /** bytes of store files this checkpoint needed first in its run (nothing earlier in the run, its code snapshot or its input data needed them) */
  readonly added: number;
  readonly addedObjects: number;
  /** bytes of every store file it needs, shared or not */
  readonly stored: number;
  /** false: some of its content is not in the local store; the numbers count what is here */
  readonly complete: boolean;
}

export interface RunCheckpointJson {
  readonly id: string;
  readonly step: number | null;
  readonly created: string;
  readonly metrics: Record<string, unknown>;
  readonly path: string | null;
  readonly data: StoredDataJson | null;
  readonly store: CheckpointStoreJson;
}

/** `GET /api/run/:id` */
export interface RunDetailResponse {
  readonly id: string;
  readonly created: string;
  readonly params: Record<string, unknown>;
  readonly environment: { readonly host: string; readonly user: string; readonly python: string | null; readonly packages: Record<string, string>; readonly command: readonly string[] };
  readonly code: { readonly commit: string | null; readonly path: string; readonly dirty: StoredDataJson | null; readonly deleted?: readonly string[] };
  readonly data: readonly { readonly path: string; readonly kind: 'file' | 'dir'; readonly oid: string }[];
  readonly status: { readonly status: 'running' | 'stopped' | 'crashed'; readonly updated: string; readonly pid: number | null };
  readonly primary_metric: { readonly name: string; readonly goal: 'minimize' | 'maximize' } | null;
  readonly best: string | null;
  readonly latest: string | null;
  readonly checkpoints: readonly RunCheckpointJson[];
  readonly totals: { readonly added: number; readonly dataSize: number; readonly complete: boolean };
}

export interface RunFileJson {
  /** path inside the checkpoint's stored data */
  readonly path: string;
  readonly size: number;
  readonly mode: 'f' | 'x' | 'l';
  readonly oid?: string;
}

/** `GET /api/run/:id/files?checkpoint=CID` */
export interface RunFilesResponse {
  readonly experiment: string;
  readonly checkpoint: string;
  readonly step: number | null;
  readonly path: string | null;
  readonly data: StoredDataJson;
  readonly files: readonly RunFileJson[];
}

export interface CompareRowJson {
  readonly key: string;
  /** one per run, in the order of `runs` (null where present is false) */
  readonly values: readonly unknown[];
  readonly present: readonly boolean[];
  readonly differs: boolean;
}

export interface CodeFileDiffJson {
  readonly path: string;
  readonly change: 'added' | 'deleted' | 'modified';
  readonly patch: string;
  readonly binary: boolean;
  readonly incomplete?: string;
}

export interface CodeDiffJson {
  readonly a: { readonly experiment: string; readonly commit: string | null; readonly dirty: string | null };
  readonly b: { readonly experiment: string; readonly commit: string | null; readonly dirty: string | null };
  readonly same: boolean;
  readonly files: readonly CodeFileDiffJson[];
  readonly patch: string;
  readonly incomplete?: string;
}

/** `GET /api/compare?ids=a,b[,c…]` */
export interface CompareResponse {
  readonly runs: readonly {
    readonly id: string;
    readonly created: string;
    readonly status: 'running' | 'stopped' | 'crashed';
    readonly primary_metric: { readonly name: string; readonly goal: 'minimize' | 'maximize' } | null;
    readonly checkpoints: number;
    readonly best: { readonly id: string; readonly step: number | null } | null;
    readonly latest: { readonly id: string; readonly step: number | null } | null;
    readonly commit: string | null;
  }[];
  readonly params: readonly CompareRowJson[];
  /** best: each run's best value over its checkpoints (min or max by `goals[i]`: the primary metric's goal, else guessed from the name, as /api/runs); last: its latest value */
  readonly metrics: readonly { readonly key: string; readonly goals: readonly ('minimize' | 'maximize' | null)[]; readonly best: CompareRowJson; readonly last: CompareRowJson }[];
  /** the code change from the first run to each other run */
  readonly code: readonly CodeDiffJson[];
}
