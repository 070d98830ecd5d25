import { parseStageRecord } from '../core/stageRecord.js';
import { STAGES_DIR, type StageAssignment, type StageRecord } from '../core/registryTypes.js';
import { catBlobs } from '../platform/git.js';
import { isZeroOid, parseRawLog, rawLogFormat } from '../platform/parseRawLog.js';
import { yamlLib } from '../platform/yamlLib.js';
import type { RegistryContext } from './RegistryContext.js';

/** An assignment or unassignment, as it reached the promote branch. */
export interface StageEvent {
  readonly kind: 'assign' | 'unassign';
  readonly entity: string;
  readonly stage: string;
  readonly version: string;
  /** when the change reached the branch: the committer date of its first-parent commit (unix seconds) */
  readonly time: number;
  /** that first-parent commit (a merge of the promotion's pull request, or a direct commit) */
  readonly commit: string;
  /** assign: who promoted (the assignment's `by`); unassign: the author of that commit */
  readonly author: string;
  /** the author of the first-parent commit (for a merged pull request, who merged it) */
  readonly committedBy: string;
}

/**
 * Every assignment and unassignment on `branch`, oldest first, from ONE
 * `git log --first-parent --raw` over the stage files and ONE `cat-file
 * --batch` of the blobs before and after each change, diffed. The effective
 * time is when the change reached the branch (MLflow #2169: "which version
 * was in production on date X" is then the first-parent history).
 * Unreadable historical stage files are skipped with a warning.
 */
export async function stageHistory(ctx: RegistryContext, branch: string, options: { entity?: string } = {}): Promise<{ events: StageEvent[]; warnings: string[] }> {
  const path = options.entity ? `${STAGES_DIR}/${options.entity}.yaml` : `${STAGES_DIR}/`;
  const res = await ctx.git.run(['log', '--first-parent', '--diff-merges=first-parent', '--raw', '--no-abbrev', '-z', '--reverse', rawLogFormat(['%H', '%ct', '%an <%ae>']), branch, '--', path], { allowFail: true });
  if (res.code !== 0) return { events: [], warnings: [] }; // no such branch yet: no history
  const changes = parseRawLog(res.stdout).flatMap(({ fields: [commit = '', time = '', author = ''], changes }) =>
    changes.map((c) => ({ commit, time: Number(time), author, before: c.oldOid, after: c.newOid, file: c.path })),
  );
  const blobs = await catBlobs(ctx.git, [...new Set(changes.flatMap((c) => [c.before, c.after]).filter((b) => !isZeroOid(b)))]);
  const events: StageEvent[] = [];
  const warnings: string[] = [];
  // null: no file on that side; 'bad': a file that does not parse (warned once per change).
  const read = (blob: string, file: string, commit: string): StageRecord | null | 'bad' => {
    if (isZeroOid(blob)) return null;
    const text = blobs.get(blob)?.toString('utf8');
    if (text === undefined) return null;
    try {
      return parseStageRecord(text, `${file} at ${commit.slice(0, 12)}`, (t) => yamlLib().parse(t));
    } catch (err) {
      warnings.push(`${file} at ${commit.slice(0, 12)} could not be read (${(err as Error).message.replace(/\.$/, '')}); its changes are left out of the history.`);
      return 'bad';
    }
  };
  for (const c of changes) {
    if (!c.file.endsWith('.yaml')) continue;
    const before = read(c.before, c.file, c.commit);
    const after = read(c.after, c.file, c.commit);
    if (before === 'bad' || after === 'bad') continue;
    const entity = after?.entity ?? before?.entity ?? c.file.slice(STAGES_DIR.length + 1, -'.yaml'.length);
    events.push(...diffStages(entity, before, after, c));
  }
  return { events, warnings };
}

/** The assign / unassign events between two versions of one stage file. */
export function diffStages(entity: string, before: StageRecord | null, after: StageRecord | null, at: { commit: string; time: number; author: string }): StageEvent[] {
  const out: StageEvent[] = [];
  const stages = new Set([...Object.keys(before?.stages ?? {}), ...Object.keys(after?.stages ?? {})]);
  for (const stage of stages) {
    const was = before?.stages[stage] ?? [];
    const now = after?.stages[stage] ?? [];
    const key = (a: StageAssignment): string => `${a.version}\0${a.commit}`;
    const wasKeys = new Set(was.map(key));
    const nowKeys = new Set(now.map(key));
    for (const a of was) if (!nowKeys.has(key(a))) out.push({ kind: 'unassign', entity, stage, version: a.version, time: at.time, commit: at.commit, author: at.author, committedBy: at.author });
    // Oldest first, so a file that gained two assignments lists them in order.
    for (const a of [...now].reverse()) if (!wasKeys.has(key(a))) out.push({ kind: 'assign', entity, stage, version: a.version, time: at.time, commit: at.commit, author: a.by || at.author, committedBy: at.author });
  }
  return out;
}
