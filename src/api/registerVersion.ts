import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { TroveError, isTroveError } from '../errors/index.js';
import { VERSION_RECORD_FORMAT, type Bump, type MetricValue, type RegistryEntity, type VersionRecord } from '../core/registryTypes.js';
import { formatOid, parseOid, type Oid } from '../core/oid.js';
import { pointerPathFor, type Pointer } from '../core/pointer.js';
import { checkRepoPath } from '../core/repoPath.js';
import { versionRecordPath, versionTagMessage } from '../core/versionRecord.js';
import { resolveRev } from '../platform/git.js';
import { createAnnotatedTag } from '../platform/gitRefs.js';
import { WorkTreeDirs } from '../platform/WorkTreeDirs.js';
import { checkMutability, latestVersion, versionWithData } from '../registry/checkMutability.js';
import { loadRegistry, type LoadedRegistry } from '../registry/loadRegistry.js';
import { chooseVersion } from '../registry/nextVersion.js';
import { assertNotSampled } from '../registry/samplesState.js';
import { addPendingVersion } from '../registry/pendingVersions.js';
import { addPaths } from '../workspace/stage/addPaths.js';
import { readWorkPointer } from '../workspace/pointers/pointers.js';
import { absPath, withLock, type Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';
import { collectMetrics } from './versionMetrics.js';
import { resolveUses, type UsesOptions } from './versionLineage.js';
import { revPointer } from './revPointer.js';
import { fetchListing } from './fetchListing.js';
import { commitVersion, restoreWorkFiles, snapshotWorkFiles, makeReadOnly } from './versionCommit.js';

export interface RegisterVersionOptions extends UsesOptions {
  /** the entity's name */
  readonly name: string;
  /** how the version number grows (default registry.bump, major) */
  readonly bump?: Bump;
  /** an explicit version: v1.2.0, 1.2.0 or 3 (= v3.0.0) */
  readonly version?: string;
  /** `KEY=VALUE` as typed on the command line; they override the metrics file's values */
  readonly metrics?: readonly string[];
  /** a JSON, YAML or CSV (header row + one value row) file of metrics, relative to the cwd */
  readonly metricsFile?: string;
  /** register this existing commit (GTO's `register NAME REF`): its pointer at the entity path is the data; nothing is added or committed */
  readonly rev?: string;
  /** make the version even when its bytes equal an existing version's */
  readonly allowIdentical?: boolean;
  /** a note kept in the tag message after the record, and the commit's message body */
  readonly message?: string;
  /** the Git remote checked for the version being free (default: the branch's remote, origin, or the only one); null: none */
  readonly gitRemote?: string | null;
}

export interface RegisterVersionResult {
  readonly entity: string;
  readonly type: string;
  readonly version: string;
  /** the annotated tag made, e.g. mnist@v2.0.0 */
  readonly tag: string;
  /** the commit the tag points to */
  readonly commit: string;
  /** true when trove made the commit (false with --rev) */
  readonly committed: boolean;
  /** the committed copy of the record (null with --rev) */
  readonly recordFile: string | null;
  readonly record: VersionRecord;
  /** the Git remote the version was checked free on (null: none configured or unreachable) */
  readonly remoteChecked: string | null;
  /** flexible entities: files made read-only */
  readonly readOnly: number;
  /** files whose content was read / bytes newly stored by the add */
  readonly hashed: number;
  readonly stored: number;
  readonly warnings: string[];
}

/**
 * Register a version of an entity in one step: store its data (as trove
 * add), check the entity's mutability, record lineage and metrics, commit
 * the pointer, its .gitignore and the record, and create the annotated tag
 * NAME@vX.Y.Z. Nothing is left half done: a refusal before the commit
 * restores the pointer and its index entry; a failure after it moves HEAD
 * back (compare-and-swap) and restores the index, so no commit stays without
 * its tag and no tag without its commit. The commit is made on HEAD without
 * the user's index, so changes they staged for something else stay staged
 * and out of it.
 *
 * @example
 *   await registerVersion(repo, { name: 'modelmnist', metrics: ['accuracy=0.9746'], dataset: 'mnist', labels: 'labelsmnist' });
 */
export async function registerVersion(repo: Repo, options: RegisterVersionOptions): Promise<RegisterVersionResult> {
  checkOptions('registerVersion', repo, options, {
    name: 'string', bump: 'string?', version: 'string?', metrics: 'string[]?', metricsFile: 'string?', dataset: 'string?', labels: 'string?', uses: 'string[]?', rev: 'string?', allowIdentical: 'boolean?', message: 'string?',
  });
  if (options.bump !== undefined && options.version !== undefined) throw new TroveError('USAGE', 'Give either --bump or --version, not both.', { hint: `trove version ${options.name} --version 2` });
  if (options.bump !== undefined && !['major', 'minor', 'patch'].includes(options.bump)) throw new TroveError('USAGE', `Unknown --bump "${options.bump}".`, { hint: 'Use major, minor or patch.' });
  return withLock(repo, 'version', async () => {
    const snapshot = await loadRegistry(repo);
    const entity = requireEntity(snapshot, options.name);
    const path = checkRepoPath(entity.record.path, entity.file);
    // The data's parent directories must be real directories before anything is read or written there.
    new WorkTreeDirs(repo.root).existingParent(path);
    const metrics = collectMetrics(repo, options);
    const warnings = [...snapshot.warnings];
    return options.rev !== undefined ? registerRev(repo, snapshot, entity, options, metrics, warnings) : registerWorkTree(repo, snapshot, entity, options, metrics, warnings);
  });
}

function requireEntity(snapshot: LoadedRegistry, name: string): RegistryEntity {
  const entity = snapshot.entities.get(name);
  if (!entity) {
    throw new TroveError('NOT_FOUND', `No entity named ${name} is declared.`, { hint: `Declare it first: trove create dataset ${name} (or labels, model, …)`, data: { entity: name } });
  }
  return entity;
}

async function registerWorkTree(repo: Repo, snapshot: LoadedRegistry, entity: RegistryEntity, options: RegisterVersionOptions, metrics: Record<string, MetricValue>, warnings: string[]): Promise<RegisterVersionResult> {
  const name = entity.record.name;
  assertNotSampled(repo.troveDir, name);
  await refuseGitOperationInProgress(repo);
  const uses = await resolveUses(repo, snapshot, entity, options, null);
  const chosen = await chooseVersion(repo, name, snapshot.tags.map((t) => t.tag), { ...versionChoice(options), ...(options.gitRemote !== undefined ? { remote: options.gitRemote } : {}) });
  warnings.push(...chosen.warnings);
  const path = entity.record.path;
  const saved = await snapshotWorkFiles(repo, path);
  let pointer: Pointer;
  let hashed = 0;
  let stored = 0;
  try {
    const added = await addPaths(repo, [absPath(repo, path)], { stage: true });
    warnings.push(...added.warnings);
    hashed = added.artifacts.reduce((s, a) => s + a.hashed, 0);
    stored = added.artifacts.reduce((s, a) => s + a.stored, 0);
    pointer = readWorkPointer(repo, path)!;
    await checkData(repo, entity, pointer, options);
  } catch (err) {
    await restoreWorkFiles(repo, saved);
    throw err;
  }
  const record = makeRecord(entity, chosen.version, pointer, uses, metrics);
  const committed = await commitVersion(repo, { saved, record, tag: chosen.tag, pointerPath: pointerPathFor(path), declaration: entity.file, message: options.message });
  addPendingVersion(repo.troveDir, { tag: chosen.tag, kind: pointer.kind, oid: formatOid(pointer.oid), path });
  const readOnly = entity.record.mutability === 'flexible' ? makeReadOnly(repo, path) : 0;
  warnings.push(...committed.warnings);
  return {
    entity: name, type: entity.record.type, version: chosen.version, tag: chosen.tag, commit: committed.commit, committed: true, recordFile: versionRecordPath(name, chosen.version),
    record, remoteChecked: chosen.remoteChecked ? chosen.remote : null, readOnly, hashed, stored, warnings,
  };
}

/** GTO's `register NAME REF`: tag an existing commit; the data is REF's pointer at the entity path. */
async function registerRev(repo: Repo, snapshot: LoadedRegistry, entity: RegistryEntity, options: RegisterVersionOptions, metrics: Record<string, MetricValue>, warnings: string[]): Promise<RegisterVersionResult> {
  const name = entity.record.name;
  const commit = await resolveRev(repo.git, options.rev!);
  const pointer = await revPointer(repo, commit, entity.record.path, options.rev!);
  const uses = await resolveUses(repo, snapshot, entity, options, commit);
  const chosen = await chooseVersion(repo, name, snapshot.tags.map((t) => t.tag), { ...versionChoice(options), ...(options.gitRemote !== undefined ? { remote: options.gitRemote } : {}) });
  warnings.push(...chosen.warnings);
  await checkData(repo, entity, pointer, options);
  const record = makeRecord(entity, chosen.version, pointer, uses, metrics);
  await createAnnotatedTag(repo.git, chosen.tag, commit, versionTagMessage(record, options.message));
  addPendingVersion(repo.troveDir, { tag: chosen.tag, kind: pointer.kind, oid: formatOid(pointer.oid), path: entity.record.path });
  return {
    entity: name, type: entity.record.type, version: chosen.version, tag: chosen.tag, commit, committed: false, recordFile: null,
    record, remoteChecked: chosen.remoteChecked ? chosen.remote : null, readOnly: 0, hashed: 0, stored: 0, warnings,
  };
}

function versionChoice(options: RegisterVersionOptions): { bump?: Bump; version?: string } {
  return { ...(options.bump !== undefined ? { bump: options.bump } : {}), ...(options.version !== undefined ? { version: options.version } : {}) };
}

/**
 * A version commit made in the middle of a merge, rebase or cherry-pick
 * would have one parent and lose what Git is doing; finish it first.
 */
async function refuseGitOperationInProgress(repo: Repo): Promise<void> {
  const res = await repo.git.run(['rev-parse', '--git-path', 'MERGE_HEAD', '--git-path', 'CHERRY_PICK_HEAD', '--git-path', 'REVERT_HEAD', '--git-path', 'rebase-merge', '--git-path', 'rebase-apply']);
  const names = ['a merge', 'a cherry-pick', 'a revert', 'a rebase', 'a rebase'];
  const at = res.stdout.toString('utf8').split('\n').filter(Boolean).findIndex((p) => existsSync(isAbsolute(p) ? p : join(repo.root, p)));
  if (at >= 0) {
    throw new TroveError('USAGE', `Git is in the middle of ${names[at]}; a version commit now would lose it.`, { hint: 'Finish it (git commit, git rebase --continue, …) or abort it, then run trove version again.', data: { operation: names[at]!.slice(2) } });
  }
}

/** Mutability (strict) and identical bytes, before anything is recorded. */
async function checkData(repo: Repo, entity: RegistryEntity, pointer: Pointer, options: RegisterVersionOptions): Promise<void> {
  try {
    checkMutability(repo.store, entity, pointer.kind, pointer.oid);
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    const missing = new TroveError('OBJECT_MISSING', `${entity.record.name} is strict, and the listing of its latest version is neither in the local store nor on a remote, so the new version cannot be compared with it.`, {
      hint: `Fetch it from where it is (trove fetch ${latestTagOf(entity)} -r REMOTE), then run the command again.`,
      cause: err,
      data: { entity: entity.record.name },
    });
    // A fresh clone has not got the previous version's listing: its pages (not its files) come from the remote.
    const latest = latestVersion(entity)!;
    await fetchListing(repo, parseOid(latest.dataOid, latest.tag), `${entity.record.path} (${latest.tag})`, missing);
    checkMutability(repo.store, entity, pointer.kind, pointer.oid);
  }
  const same = versionWithData(entity, formatOid(pointer.oid));
  if (same && !options.allowIdentical) {
    throw new TroveError('VERSION_EXISTS', `The data of ${entity.record.name} is byte for byte ${same.tag}; no new version was made.`, {
      hint: `Change the data first, or make the version anyway: trove version ${entity.record.name} --allow-identical`,
      data: { entity: entity.record.name, where: 'local', reason: 'identical', identicalTo: same.tag, version: same.version, tag: same.tag },
    });
  }
}

function latestTagOf(entity: RegistryEntity): string {
  return latestVersion(entity)?.tag ?? entity.record.name;
}

function makeRecord(entity: RegistryEntity, version: string, pointer: Pointer, uses: readonly string[], metrics: Record<string, MetricValue>): VersionRecord {
  return {
    format: VERSION_RECORD_FORMAT,
    entity: entity.record.name,
    type: entity.record.type,
    version,
    path: entity.record.path,
    dataOid: formatOid(pointer.oid as Oid),
    dataKind: pointer.kind,
    dataSize: pointer.size,
    dataFiles: pointer.kind === 'dir' ? pointer.files ?? 0 : 1,
    uses: [...uses].sort(),
    metrics,
  };
}
