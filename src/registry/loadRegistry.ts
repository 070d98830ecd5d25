import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError, isTroveError } from '../errors/index.js';
import { ENTITIES_DIR, STAGES_DIR, type EntityRecord, type RegisteredVersion, type RegistryEntity, type RegistrySnapshot, type StageAssignment, type StageRecord } from '../core/registryTypes.js';
import { compareVersions, parseTag } from '../core/registryNames.js';
import { entityFromYaml } from '../core/entityRecord.js';
import { entityDocFast } from '../core/entityFastParse.js';
import { parseStageRecord } from '../core/stageRecord.js';
import { parseVersionRecord } from '../core/versionRecord.js';
import { catBlobs, listTreeBlobs, resolveRev } from '../platform/git.js';
import { listTagRecords, type TagRecord } from '../platform/gitRefs.js';
import { parseYamlRecord } from '../platform/parseYamlRecord.js';
import { readFileNoFollow } from '../platform/readFileNoFollow.js';
import type { RegistryContext } from './RegistryContext.js';

export interface LoadRegistryOptions {
  /** read declarations and stage files from this revision instead of the work tree */
  readonly rev?: string;
  /** only tags made at or before this time (unix seconds): the registry "as it was then" (`--at`) */
  readonly tagsUntil?: number;
}

/** The snapshot, plus every tag as read (for history views that need GTO's stage tags or foreign ones). */
export interface LoadedRegistry extends RegistrySnapshot {
  readonly tags: readonly TagRecord[];
}

/** A registry file as read: its repository path and bytes. */
interface RegistryFile {
  readonly path: string;
  readonly text: string;
}

/**
 * The registry at one revision (or the work tree) in 2-3 git processes: one
 * `for-each-ref` for every tag with its message (the version records), and,
 * for a revision, one `ls-tree` plus one `cat-file --batch` for the
 * declarations and stage files. Unreadable tags and records become warnings
 * naming the tag (one bad tag must not hide the rest of the registry); a
 * declaration that does not parse is BAD_RECORD naming the file and line,
 * because every command about that entity would otherwise act on a guess.
 */
export async function loadRegistry(ctx: RegistryContext, options: LoadRegistryOptions = {}): Promise<LoadedRegistry> {
  const commit = options.rev !== undefined ? await resolveRev(ctx.git, options.rev) : null;
  const [files, tags] = await Promise.all([commit ? readRevFiles(ctx, commit) : readWorkFiles(ctx.root), listTagRecords(ctx.git)]);
  const warnings: string[] = [];
  const declarations = new Map<string, { record: EntityRecord; file: string }>();
  for (const f of files.entities) {
    const record = parseDeclaration(f, ctx.config.registry.types);
    declarations.set(record.name, { record, file: f.path });
  }
  const stages = new Map<string, StageRecord>();
  for (const f of files.stages) {
    const record = parseStageRecord(f.text, f.path, (t: string) => parseYamlRecord(t, f.path));
    stages.set(record.entity, record);
  }
  const versions = new Map<string, RegisteredVersion[]>();
  const deregistered = new Set<string>();
  const deprecated = new Set<string>();
  for (const t of tags) {
    const parsed = parseTag(t.tag);
    if (!parsed) continue; // release tags, ml-git tags: not the registry's
    if (!declarations.has(parsed.name)) continue; // an entity not declared at this revision (yet, or any more)
    if (t.objectType !== 'tag') {
      if (parsed.kind === 'register') warnings.push(`Tag ${t.tag} is a lightweight tag, not a registered version (no record); skipped.`);
      continue;
    }
    if (options.tagsUntil !== undefined && t.time > options.tagsUntil) continue;
    if (parsed.kind === 'deregister') deregistered.add(`${parsed.name}@${parsed.version}`);
    else if (parsed.kind === 'deprecate') deprecated.add(parsed.name);
    else if (parsed.kind === 'register') {
      const v = versionFromTag(t, parsed.name, parsed.version, warnings);
      if (v) (versions.get(parsed.name) ?? versions.set(parsed.name, []).get(parsed.name)!).push(v);
    }
  }
  const entities = new Map<string, RegistryEntity>();
  for (const name of [...declarations.keys()].sort()) {
    const { record, file } = declarations.get(name)!;
    const list = (versions.get(name) ?? [])
      .map((v) => (deregistered.has(v.tag) ? { ...v, deprecated: true } : v))
      .sort((a, b) => compareVersions(a.version, b.version));
    const stageRecord = stages.get(name);
    const entityStages: Record<string, readonly StageAssignment[]> = stageRecord ? { ...stageRecord.stages } : {};
    entities.set(name, { record, file, deprecated: deprecated.has(name), versions: list, stages: entityStages });
  }
  for (const name of stages.keys()) if (!declarations.has(name)) warnings.push(`Stage file ${STAGES_DIR}/${name}.yaml names entity ${name}, which is not declared; ignored.`);
  return { commit, entities, warnings, tags };
}

/** One register tag's record, checked against its tag name; undefined (and a warning naming the tag) when unreadable. */
function versionFromTag(t: TagRecord, name: string, version: string, warnings: string[]): RegisteredVersion | undefined {
  try {
    const record = parseVersionRecord(t.message, `tag ${t.tag}`);
    if (record.entity !== name || record.version !== version) {
      warnings.push(`Tag ${t.tag} carries the record of ${record.entity}@${record.version}; skipped.`);
      return undefined;
    }
    return { ...record, tag: t.tag, commit: t.commit, time: t.time, author: t.author, deprecated: false };
  } catch (err) {
    if (!isTroveError(err) || err.code === 'INTERNAL') throw err;
    warnings.push(`Tag ${t.tag} has an unreadable record (${err.message.replace(/\.$/, '')}); skipped.`);
    return undefined;
  }
}

/**
 * A declaration through the yaml library (a human may edit it), validated;
 * BAD_RECORD names the file and line. An unsafe data path (`../x`, `.git/x`,
 * absolute) is UNSAFE_PATH, naming the file and line too: that is what a
 * hostile repository would ship, and no command may act on it.
 */
function parseDeclaration(f: RegistryFile, types: readonly string[]): EntityRecord {
  // The machine-written layout without the yaml library (docs: core/entityFastParse.ts); hand edits through it.
  const doc = entityDocFast(f.text) ?? parseYamlRecord(f.text, f.path);
  try {
    return entityFromYaml(doc, f.path, types, (key) => lineOf(f.text, key) ?? undefined);
  } catch (err) {
    if (isTroveError(err, 'BAD_RECORD') && err.data?.key === 'path' && /unsafe/.test(String(err.data.reason))) {
      throw new TroveError('UNSAFE_PATH', err.message, { hint: `Fix the path in ${f.path}; a repository that ships such a path may be hostile.`, data: { ...err.data, path: (doc as { path?: unknown }).path } });
    }
    throw err;
  }
}

/** 1-based line of the top-level `key:` in a YAML text, or null. */
export function lineOf(text: string, key: string): number | null {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${key}:`));
  return i < 0 ? null : i + 1;
}

const isEntityFile = (p: string): boolean => p.startsWith(ENTITIES_DIR + '/') && p.endsWith('.yaml') && !p.slice(ENTITIES_DIR.length + 1).includes('/');
const isStageFile = (p: string): boolean => p.startsWith(STAGES_DIR + '/') && p.endsWith('.yaml') && !p.slice(STAGES_DIR.length + 1).includes('/');

async function readRevFiles(ctx: RegistryContext, commit: string): Promise<{ entities: RegistryFile[]; stages: RegistryFile[] }> {
  const blobs = await listTreeBlobs(ctx.git, commit, (p) => isEntityFile(p) || isStageFile(p));
  const contents = await catBlobs(ctx.git, blobs.map((b) => b.blob));
  const files = blobs.map((b) => ({ path: b.path, text: contents.get(b.blob)?.toString('utf8') ?? '' }));
  return { entities: files.filter((f) => isEntityFile(f.path)), stages: files.filter((f) => isStageFile(f.path)) };
}

function readWorkFiles(root: string): { entities: RegistryFile[]; stages: RegistryFile[] } {
  return { entities: readWorkDir(root, ENTITIES_DIR), stages: readWorkDir(root, STAGES_DIR) };
}

/** The *.yaml files of a registry directory in the work tree; symlinks (a directory or a file) are refused, never followed. */
function readWorkDir(root: string, dir: string): RegistryFile[] {
  const parts = dir.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('/');
    let st;
    try {
      st = lstatSync(join(root, sub));
    } catch {
      // no such directory in the work tree: no registry files there
      return [];
    }
    if (st.isSymbolicLink()) throw new TroveError('UNSAFE_PATH', `${sub} is a symbolic link; trove reads the registry only from real directories of the repository.`, { hint: `Replace the link by a directory; a repository that ships such a link may be hostile.`, data: { path: sub } });
    if (!st.isDirectory()) return [];
  }
  const out: RegistryFile[] = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    if (!name.endsWith('.yaml')) continue;
    const path = `${dir}/${name}`;
    let buf: Buffer | undefined;
    try {
      buf = readFileNoFollow(join(root, dir, name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new TroveError('UNSAFE_PATH', `${path} is a symbolic link; trove never follows one.`, { hint: 'Replace it by the file itself; a repository that ships such a link may be hostile.', data: { path } });
      if (code === 'EISDIR') continue;
      throw err;
    }
    if (buf !== undefined) out.push({ path, text: buf.toString('utf8') });
  }
  return out;
}
