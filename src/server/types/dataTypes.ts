/**
 * JSON of the data-history routes (issue 16, point 4). Declared here on their
 * own (the front end type-checks without Node's types); the routes assign the
 * api results to these, so tsc keeps the two in step.
 */

/** `GET /api/paths`: every tracked path at HEAD. */
export interface DataPathsResponse {
  /** HEAD's commit; null in a repository without commits (then `paths` is empty) */
  readonly commit: string | null;
  readonly paths: DataPathRow[];
}

export interface DataPathRow {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  readonly oid: string;
  readonly size: number;
  /** files in it (1 for a file) */
  readonly files: number;
}

/** `GET /api/history?path=P[&limit=N]`: the versions of a tracked path, newest first. */
export interface DataHistoryResponse {
  readonly path: string;
  readonly versions: DataVersionRow[];
  readonly truncated: boolean;
  /** false when a manifest or chunk list was not in the local store (see bytesNew) */
  readonly complete: boolean;
}

export interface DataVersionRow {
  readonly commit: string;
  readonly author: string;
  readonly email: string;
  readonly date: string;
  readonly subject: string;
  readonly change: 'added' | 'modified' | 'deleted' | 'renamed';
  /** the data path at this commit */
  readonly path: string;
  readonly kind?: 'file' | 'dir';
  readonly oid?: string;
  readonly size?: number;
  readonly files?: number;
  /** bytes of content no older version held (whole files, or chunks of files over 1 MiB); null: not in the local store */
  readonly bytesNew: number | null;
  /** files whose content is new in this version */
  readonly filesNew: number | null;
}

/** `GET /api/datadiff?path=P&from=A&to=B`: files added, removed and changed. */
export interface DataDiffResponse {
  readonly path: string;
  readonly from: DataDiffSideRow;
  readonly to: DataDiffSideRow;
  /** every differing file, sorted by path ("" for a tracked file itself) */
  readonly files: DataDiffFileRow[];
  readonly totals: {
    readonly added: number;
    readonly removed: number;
    readonly modified: number;
    readonly bytesAdded: number;
    readonly bytesRemoved: number;
    readonly bytesModifiedOld: number;
    readonly bytesModifiedNew: number;
    readonly sizeDelta: number;
  };
}

export interface DataDiffSideRow {
  readonly rev: string;
  readonly commit: string;
  readonly present: boolean;
  readonly kind?: 'file' | 'dir';
  readonly oid?: string;
  readonly size?: number;
  readonly files?: number;
}

export interface DataDiffFileRow {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'modified';
  readonly oldSize?: number;
  readonly newSize?: number;
}

/** `GET /api/rowdiff?path=P[&file=F]&from=A&to=B`: rows of a CSV/TSV file added, removed, changed. */
export interface RowDiffResponse {
  readonly path: string;
  readonly file: string;
  readonly format: 'csv' | 'tsv';
  readonly from: RowDiffSideRow;
  readonly to: RowDiffSideRow;
  readonly header: { readonly from: string[]; readonly to: string[]; readonly changed: boolean };
  /** the key column rows were paired by, or null */
  readonly key: string | null;
  readonly counts: { readonly from: number; readonly to: number; readonly added: number; readonly removed: number; readonly changed: number; readonly unchanged: number };
  readonly added: RowRef[];
  readonly removed: RowRef[];
  readonly changed: { readonly key: string; readonly from: RowRef; readonly to: RowRef; readonly columns: number[] }[];
  /** a list was cut (the counts cover every row) */
  readonly truncated: boolean;
}

export interface RowDiffSideRow {
  readonly rev: string;
  readonly commit: string;
  readonly present: boolean;
  readonly size?: number;
  readonly oid?: string;
}

export interface RowRef {
  /** 1-based data row (header not counted) */
  readonly row: number;
  readonly cells: string[];
}
