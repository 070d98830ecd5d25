/**
 * The note `trove exp promote` adds to a version's tag message, after the
 * record: "From experiment <id> checkpoint <id> (step N)." It is the one
 * place a version names the run that made it (the record's fixed keys do
 * not), so the lineage graph reads it back from here; both sides share
 * this file so the wording cannot drift.
 */

export interface VersionRunNote {
  /** the experiment id (32 hex) */
  readonly experiment: string;
  readonly checkpoint: string;
  readonly step: number | null;
}

const NOTE_RE = /^From experiment ([0-9a-f]{32}) checkpoint ([0-9a-f]{32})(?: \(step ([^)]+)\))?\.$/m;

export function formatRunNote(n: VersionRunNote): string {
  return `From experiment ${n.experiment} checkpoint ${n.checkpoint}${n.step !== null ? ` (step ${n.step})` : ''}.`;
}

/** The run named in a tag message, or null (a version registered by hand). */
export function parseRunNote(message: string): VersionRunNote | null {
  const m = NOTE_RE.exec(message);
  if (!m) return null;
  return { experiment: m[1]!, checkpoint: m[2]!, step: m[3] !== undefined ? Number(m[3]) : null };
}
