import { parseStageRecord } from '../core/stageRecord.js';
import { STAGES_DIR, type StageAssignment, type StageRecord } from '../core/registryTypes.js';
import { catBlobs } from '../platform/git.js';
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

const ZERO = /^0+$/;

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
  const res = await ctx.git.run(['log', '--first-parent', '--diff-merges=first-parent', '--raw', '--no-abbrev', '-z', '--reverse', '--format=%x01%H%x00%ct%x00%an <%ae>%x00', branch, '--', path], { allowFail: true });
  if (res.code !== 0) return { events: [], warnings: [] }; // no such branch yet: no history
  const changes = parseRawLog(res.stdout.toString('utf8'));
  const blobs = await catBlobs(ctx.git, [...new Set(changes.flatMap((c) => [c.before, c.after]).filter((b) => !ZERO.test(b)))]);
  const events: StageEvent[] = [];
  const warnings: string[] = [];
  // null: no file on that side; 'bad': a file that does not parse (warned once per change).
  const read = (blob: string, file: string, commit: string): StageRecord | null | 'bad' => {
    if (ZERO.test(blob)) return null;
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

interface RawChange {
  readonly commit: string;
  readonly time: number;
  readonly author: string;
  readonly before: string;
  readonly after: string;
  readonly file: string;
}

/**
 * `git log -z --raw --format=%x01%H%x00%ct%x00%an <%ae>%x00`: each commit
 * starts with \x01, then its fields, then NUL-separated raw records
 * (`:oldmode newmode oldblob newblob STATUS`, then the path; renames carry two paths).
 */
export function parseRawLog(text: string): RawChange[] {
  const out: RawChange[] = [];
  for (const chunk of text.split('\x01')) {
    if (!chunk) continue;
    const parts = chunk.split('\0');
    const commit = parts[0]!;
    const time = Number(parts[1]);
    const author = parts[2]!;
    for (let i = 3; i < parts.length; i++) {
      const rec = parts[i]!.replace(/^\n+/, '');
      if (!rec.startsWith(':')) continue;
      const [, , before, after, status] = rec.slice(1).split(' ');
      const twoPaths = /^[RC]/.test(status ?? '');
      const file = parts[twoPaths ? i + 2 : i + 1] ?? '';
      i += twoPaths ? 2 : 1;
      out.push({ commit, time, author, before: before!, after: after!, file });
    }
  }
  return out;
}
