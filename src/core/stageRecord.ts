import { TroveError, isTroveError } from '../errors/index.js';
import { STAGE_FORMAT, STAGES_DIR, type StageAssignment, type StageRecord } from './registryTypes.js';
import { isValidName, isVersion } from './registryNames.js';

/**
 * The stage file `.trove/registry/stages/<entity>.yaml` (docs/formats.md
 * "Stage file"): which versions each stage holds, newest assignment first.
 * A promotion changes it on a branch, so it is reviewed as a pull request.
 *
 *     trove-stages: 1
 *     entity: modelmnist
 *     stages:
 *       production:
 *         - version: v2.0.0
 *           commit: 3b1f…            # 40 or 64 hex: the commit the tag pointed to
 *           assigned: 2025-05-01T12:00:00Z
 *           by: "Ann <ann@example.com>"
 *       staging: []
 *
 * Written in exactly this layout (stages in the order given, else sorted;
 * `by` JSON-quoted). Read by a fast line parser for that layout; any other
 * layout (a hand edit, a resolved merge conflict) goes through the injected
 * yaml parse function and the same validation.
 */

const COMMIT_RE = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const ISO_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export function stageFilePath(entity: string): string {
  return `${STAGES_DIR}/${entity}.yaml`;
}

/**
 * Serialise with stages in `order` first (e.g. the configured stage order),
 * then any others sorted, so the file is the same whoever writes it.
 */
export function serializeStageRecord(r: StageRecord, order: readonly string[] = []): string {
  const names = Object.keys(r.stages);
  const ordered = [...order.filter((s) => names.includes(s)), ...names.filter((s) => !order.includes(s)).sort()];
  let out = `trove-stages: ${STAGE_FORMAT}\nentity: ${r.entity}\nstages:${ordered.length === 0 ? ' {}' : ''}\n`;
  for (const stage of ordered) {
    const list = r.stages[stage]!;
    if (list.length === 0) {
      out += `  ${stage}: []\n`;
      continue;
    }
    out += `  ${stage}:\n`;
    for (const a of list) {
      out += `    - version: ${a.version}\n      commit: ${a.commit}\n      assigned: ${a.assigned}\n      by: ${JSON.stringify(a.by)}\n`;
    }
  }
  return out;
}

/**
 * Parse a stage file. `yamlParse` (the yaml library's parse, from platform/)
 * reads layouts the fast parser does not; without it such a file is
 * BAD_RECORD naming the first line it could not read. Errors: BAD_RECORD with
 * data {file, line (or null), reason}; NEWER_FORMAT for a newer `trove-stages`.
 */
export function parseStageRecord(text: string, source: string, yamlParse?: (t: string) => unknown): StageRecord {
  // A value the fast parser refuses may still be a valid hand edit (a quoted commit, a comment):
  // with a yaml parser the file gets a second reading, and the fast error (with its line) is kept
  // for when that reading fails too.
  let fast: FastResult;
  let fastError: TroveError | undefined;
  try {
    fast = parseFast(text, source);
  } catch (err) {
    if (!yamlParse || !isTroveError(err, 'BAD_RECORD')) throw err;
    fastError = err;
    fast = { line: Number(err.data?.line ?? 1), reason: String(err.data?.reason ?? '') };
  }
  if (fast.record) return fast.record;
  if (!yamlParse) throw bad(source, fast.line, fast.reason);
  let doc: unknown;
  try {
    doc = yamlParse(text);
  } catch (err) {
    if (fastError) throw fastError;
    if (err instanceof TroveError) throw err; // the injected parser already named file and line
    const lp = (err as { linePos?: { line?: unknown }[] } | null)?.linePos;
    // The yaml library's own error carries linePos; platform's parseYamlRecord throws BAD_RECORD with data.line.
    const dataLine = isTroveError(err) && typeof err.data?.line === 'number' ? err.data.line : null;
    const line = Array.isArray(lp) && typeof lp[0]?.line === 'number' ? (lp[0].line as number) : dataLine;
    throw bad(source, line, `it is not valid YAML (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`);
  }
  try {
    return stageFromYaml(doc, source);
  } catch (err) {
    throw fastError ?? err;
  }
}

type FastResult = { record: StageRecord; line?: undefined; reason?: undefined } | { record?: undefined; line: number; reason: string };

/** The machine-written layout, line by line; anything unexpected returns where it stopped. */
function parseFast(text: string, source: string): FastResult {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const at = (i: number) => {
    const l = lines[i];
    return l === undefined ? undefined : l.endsWith('\r') ? l.slice(0, -1) : l;
  };
  const stop = (i: number, reason: string): FastResult => ({ line: i + 1, reason });
  const first = at(0);
  const fm = first !== undefined ? /^trove-stages: (\d+)$/.exec(first) : null;
  if (!fm) return stop(0, 'the first line must be "trove-stages: 1"');
  checkFormat(Number(fm[1]), source, 1);
  const em = /^entity: (\S+)$/.exec(at(1) ?? '');
  if (!em || !isValidName(em[1]!)) return stop(1, 'expected "entity: NAME"');
  const stagesLine = at(2);
  const stages: Record<string, StageAssignment[]> = {};
  if (stagesLine === 'stages: {}' && lines.length === 3) return { record: { format: Number(fm[1]), entity: em[1]!, stages } };
  if (stagesLine !== 'stages:') return stop(2, 'expected "stages:"');
  let i = 3;
  while (i < lines.length) {
    const sl = at(i)!;
    const sm = /^ {2}([a-z0-9-]+):( \[\])?$/.exec(sl);
    if (!sm || !isValidName(sm[1]!)) return stop(i, `expected a stage name, found "${clip(sl)}"`);
    const stage = sm[1]!;
    if (Object.prototype.hasOwnProperty.call(stages, stage)) return stop(i, `stage "${stage}" is listed twice`);
    const list: StageAssignment[] = [];
    stages[stage] = list;
    i++;
    if (sm[2]) continue;
    while (i < lines.length && at(i)!.startsWith('    - ')) {
      const v = /^ {4}- version: (.*)$/.exec(at(i)!);
      const c = /^ {6}commit: (.*)$/.exec(at(i + 1) ?? '');
      const t = /^ {6}assigned: (.*)$/.exec(at(i + 2) ?? '');
      const b = /^ {6}by: (".*")$/.exec(at(i + 3) ?? '');
      if (!v) return stop(i, 'expected "- version: vX.Y.Z"');
      if (!c) return stop(i + 1, 'expected "commit: <hex>"');
      if (!t) return stop(i + 2, 'expected "assigned: <ISO date>"');
      if (!b) return stop(i + 3, 'expected "by: \\"Name <email>\\""');
      let by: unknown;
      try {
        by = JSON.parse(b[1]!);
      } catch {
        // reported: stop() names the line
        return stop(i + 3, 'the quoted "by" does not parse');
      }
      const a = checkAssignment({ version: v[1], commit: c[1], assigned: t[1], by }, source, stage, i + 1);
      list.push(a);
      i += 4;
    }
    if (list.length === 0) return stop(i, `stage "${stage}" has no assignments; write "${stage}: []"`);
  }
  return { record: { format: Number(fm[1]), entity: em[1]!, stages } };
}

/** Validate a stage file parsed by the yaml library (hand edits). */
export function stageFromYaml(doc: unknown, source: string): StageRecord {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad(source, null, 'it is not a YAML mapping');
  const d = doc as Record<string, unknown>;
  const format = d['trove-stages'];
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1) throw bad(source, null, '"trove-stages" must be a positive integer');
  checkFormat(format, source, null);
  if (typeof d.entity !== 'string' || !isValidName(d.entity)) throw bad(source, null, '"entity" must be an entity name');
  const raw = d.stages ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(source, null, '"stages" must be a mapping of stage names to lists');
  const stages: Record<string, StageAssignment[]> = {};
  for (const [stage, list] of Object.entries(raw as Record<string, unknown>)) {
    if (!isValidName(stage)) throw bad(source, null, `"${clip(stage)}" is not a valid stage name`);
    if (list === null) {
      stages[stage] = [];
      continue;
    }
    if (!Array.isArray(list)) throw bad(source, null, `stage "${stage}" must be a list`);
    stages[stage] = list.map((a) => {
      if (a === null || typeof a !== 'object') throw bad(source, null, `an assignment of stage "${stage}" is not a mapping`);
      return checkAssignment(a as Record<string, unknown>, source, stage, null);
    });
  }
  return { format, entity: d.entity, stages };
}

function checkAssignment(a: Record<string, unknown>, source: string, stage: string, line: number | null): StageAssignment {
  const { version, commit, by } = a;
  // The yaml library reads an unquoted ISO timestamp as a string (YAML 1.2 core schema); a Date would come from 1.1.
  const assigned = a.assigned instanceof Date ? a.assigned.toISOString().replace('.000Z', 'Z') : a.assigned;
  if (typeof version !== 'string' || !isVersion(version)) throw bad(source, line, `stage "${stage}": "${clip(String(version))}" is not a version`);
  if (typeof commit !== 'string' || !COMMIT_RE.test(commit)) throw bad(source, line === null ? null : line + 1, `stage "${stage}": commit must be 40 or 64 lowercase hex digits`);
  if (typeof assigned !== 'string' || !ISO_UTC_RE.test(assigned) || Number.isNaN(Date.parse(assigned))) {
    throw bad(source, line === null ? null : line + 2, `stage "${stage}": assigned must be an ISO 8601 UTC time (2025-05-01T12:00:00Z)`);
  }
  if (typeof by !== 'string') throw bad(source, line === null ? null : line + 3, `stage "${stage}": by must be a string`);
  return { version, commit, assigned, by };
}

function checkFormat(format: number, source: string, line: number | null): void {
  if (format > STAGE_FORMAT) {
    throw new TroveError('NEWER_FORMAT', `The stage file ${source} has format ${format}; this trove reads up to ${STAGE_FORMAT}.`, {
      hint: 'Upgrade trove to read it.',
      data: { file: source, line, format },
    });
  }
  if (format < 1) throw bad(source, line, '"trove-stages" must be a positive integer');
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function bad(file: string, line: number | null, reason: string): TroveError {
  return new TroveError('BAD_RECORD', `Stage file ${file}${line !== null ? `, line ${line}` : ''}: ${reason}.`, {
    hint: `Fix ${file} (see docs/formats.md, "Stage file"), or restore it with \`git checkout -- ${file}\`.`,
    data: { file, line, reason },
  });
}
