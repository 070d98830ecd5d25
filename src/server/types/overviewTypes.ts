/** `GET /api/overview`: what the home page shows and every page's header needs. */
export interface OverviewResponse {
  /** the work tree's folder name */
  readonly name: string;
  readonly root: string;
  /** HEAD's branch (null: detached) and commit (null: no commit yet) */
  readonly branch: string | null;
  readonly commit: string | null;
  readonly trove: string;
  /** how many runs, declared entities and tracked paths there are (home page cards) */
  readonly counts: { readonly runs: number; readonly entities: number; readonly trackedPaths: number };
}
