import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkStage, planPromotion } from '../core/planPromotion.js';
import { ENTITIES_DIR, STAGES_DIR, type RegisteredVersion } from '../core/registryTypes.js';
import { resolveRef } from '../core/resolveRef.js';
import { serializeStageRecord } from '../core/stageRecord.js';
import { TroveError, isTroveError } from '../errors/index.js';
import { commitFiles } from '../platform/gitCommitPaths.js';
import { openPullRequest, shellQuote, type PrOutcome, type PrToolIo } from '../platform/prTool.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import { promotionBody, promotionTitle, upstreamLineage } from '../registry/promotionBody.js';
import { diffManifests } from '../store/diffManifests.js';
import { parseOid } from '../core/oid.js';
import { checkOptions } from './checkOptions.js';
import { push } from './push.js';
import { closeSession, openSession } from '../sync/remoteSession.js';
import { dataClosure, missingOnRemote, versionArtifact } from './versionData.js';
import { gitIdentity, gitRemoteUrl, pickGitRemote } from '../platform/gitRemoteInfo.js';
import type { DataChange } from '../registry/promotionBody.js';
import type { Repo } from '../workspace/Repo.js';

export interface PromoteOptions {
  /** NAME@vX.Y.Z, NAME@X, NAME (latest), NAME#STAGE or an ml-git tag */
  readonly ref: string;
  /** the stage */
  readonly to: string;
  /** the branch promotions are proposed against (default registry.branch) */
  readonly base?: string;
  /** the Git remote (default: origin, else the only one) */
  readonly gitRemote?: string;
  /** the trove remote the data goes to (default: core.remote, else the only one) */
  readonly dataRemote?: string;
  /** the branch name (default trove/promote/NAME-VERSION-STAGE) */
  readonly branch?: string;
  /** false: push, but do not open a pull request (the command is returned) */
  readonly pr?: boolean;
  readonly draft?: boolean;
  /** skip the stage order check (registry.ordered) */
  readonly force?: boolean;
  /** injected clock and PR tool (tests) */
  readonly now?: () => Date;
  readonly prIo?: PrToolIo;
}

export type PromoteStep = 'data' | 'git-push';

export interface PromoteResult {
  readonly entity: string;
  readonly version: string;
  readonly tag: string;
  readonly stage: string;
  /** the branch holding the change, and its commit */
  readonly branch: string;
  readonly commit: string;
  /** what the change was made on */
  readonly base: { readonly remote: string | null; readonly branch: string; readonly commit: string; readonly fetched: boolean };
  /** versions the stage held before, and those the promotion removes from it */
  readonly previous: readonly string[];
  readonly replaced: readonly string[];
  /** the data of the version and of everything it was made from, now on the trove remote */
  readonly data: { readonly remote: string; readonly versions: readonly string[]; readonly objects: number; readonly bytes: number };
  /** refs pushed to the Git remote */
  readonly pushed: readonly string[];
  readonly pullRequest: PrOutcome & { readonly bodyFile: string };
  readonly warnings: readonly string[];
}

/**
 * Propose assigning a version to a stage, as a pull request: the stage file
 * is changed in a commit on a new branch made from the promote branch as the
 * Git remote has it (never touching the work tree or index), the data the
 * version needs is pushed to the trove remote, the branch and the version
 * tags are pushed, and `gh`/`glab` opens the pull request when installed and
 * logged in (else `pullRequest.command` is the line to run).
 * A step that fails after the commit throws PROMOTE_INCOMPLETE (exit 3) with
 * data {branch, commit, step} and the next command as the hint; the branch stays.
 *
 * @example
 *   const r = await promote(repo, { ref: 'modelmnist@v2.0.0', to: 'production' });
 *   r.pullRequest.url ?? r.pullRequest.command
 */
export async function promote(repo: Repo, options: PromoteOptions): Promise<PromoteResult> {
  checkOptions('promote', repo, options, { ref: 'string', to: 'string', base: 'string?', gitRemote: 'string?', dataRemote: 'string?', branch: 'string?', pr: 'boolean?', draft: 'boolean?', force: 'boolean?', prIo: 'object?' });
  const warnings: string[] = [];
  const local = await loadRegistry(repo, {});
  const { entity, version } = resolveRef(local, options.ref);
  const name = entity.record.name;
  // Before the stage name goes into a branch name, and before any network.
  checkStage(repo.config.registry, options.to, version.tag);
  const baseBranch = options.base ?? repo.config.registry.branch;
  const branch = options.branch ?? `trove/promote/${name}-${version.version}-${options.to}`;
  await checkBranchName(repo, branch);
  // The base goes into a fetch refspec: a name with ':' or '*' must not become another refspec.
  await checkBranchName(repo, baseBranch);

  // 1. The base: the promote branch as the Git remote has it now.
  const remote = await pickGitRemote(repo.git, options.gitRemote);
  const base = await findBase(repo, remote, baseBranch, warnings);
  const atBase = base.commit === null ? null : await loadRegistry(repo, { rev: base.commit });
  const current = atBase?.entities.get(name)?.stages ?? {};

  // 2. The change, validated against what the stage holds there.
  const plan = planPromotion({ entity: name, entityDeprecated: entity.deprecated, version, stage: options.to, current, config: repo.config.registry, force: Boolean(options.force), assigned: isoSeconds((options.now ?? (() => new Date()))()), by: await gitIdentity(repo.git) });
  const files: { path: string; content: string | Buffer }[] = [{ path: `${STAGES_DIR}/${name}.yaml`, content: serializeStageRecord(plan.record, repo.config.registry.stages.map((s) => s.name)) }];
  // A declaration not yet on the base travels with the promotion, so the pull request is complete.
  if (!atBase?.entities.has(name)) files.push({ path: `${ENTITIES_DIR}/${name}.yaml`, content: readFileSync(join(repo.root, entity.file)) });
  const existing = await refCommit(repo, `refs/heads/${branch}`);
  if (existing) await refuseForeignBranch(repo, branch);
  if (existing) warnings.push(`Branch ${branch} existed (${existing.slice(0, 12)}); it now holds this promotion.`);
  const message = `${promotionTitle(name, version.version, options.to)}\n\nTrove-Promote: ${version.tag} ${options.to}\n`;
  const commit = await commitFiles(repo.git, { base: base.commit, files, message, ref: `refs/heads/${branch}`, expectOld: existing });
  const incomplete = (step: PromoteStep, why: string, hint: string, cause?: unknown, extra: Record<string, unknown> = {}): TroveError =>
    new TroveError('PROMOTE_INCOMPLETE', `Promotion of ${version.tag} to ${options.to} is committed on branch ${branch} but not proposed: ${why.replace(/\.$/, '')}.`, { hint, cause, data: { branch, commit, step, ...extra } });

  // 3. The data of the version and its upstream versions, on the trove remote.
  const closure = dataClosure(local, [version.tag]);
  for (const u of closure.unknown) warnings.push(`${u} is named in the lineage but not registered here; its data is not pushed.`);
  const rerun = `trove promote ${shellQuote(options.ref)} --to ${shellQuote(options.to)}${options.dataRemote ? ` --data-remote ${shellQuote(options.dataRemote)}` : ''}${remote ? ` -r ${shellQuote(remote)}` : ''}`;
  let data: PromoteResult['data'];
  try {
    data = await pushVersionData(repo, closure.versions, options.dataRemote);
  } catch (err) {
    throw incomplete('data', `its data could not be pushed (${(err as Error).message.replace(/\.$/, '')})`, isTroveError(err, 'USAGE') || isTroveError(err, 'CONFIG') ? `Add a trove remote (trove remote add -d storage URL), then run ${rerun}` : `Fix the trove remote, then run ${rerun}`, err);
  }

  // 4. The pull request's text, kept in .trove/tmp so the printed command works by hand.
  const holders = plan.previous.map((a) => entity.versions.find((v) => v.version === a.version)).filter((v): v is RegisteredVersion => v !== undefined);
  const body = promotionBody({ entity: name, stage: options.to, version, holders, lineage: upstreamLineage(local, version.tag), change: dataChange(repo, holders[0], version, plan.previous.length > 0), dataRemote: data.remote, command: `trove promote ${version.tag} --to ${options.to}` });
  const bodyFile = writeBodyFile(repo, branch, body);

  // 5. The branch and the version tags, on the Git remote, in one atomic push.
  const refspecs = [`refs/heads/${branch}:refs/heads/${branch}`, ...closure.versions.map((v) => `refs/tags/${v.tag}:refs/tags/${v.tag}`)];
  const pushLine = (r: string): string => `git push --atomic ${shellQuote(r)} ${refspecs.map(shellQuote).join(' ')}`;
  if (!remote) throw incomplete('git-push', 'this repository has no Git remote', `git remote add origin URL && ${pushLine('origin')}`, undefined, { bodyFile });
  const failed = await pushBranchAndTags(repo, remote, branch, existing !== null, refspecs);
  if (failed) throw incomplete('git-push', `git push to ${remote} failed (${failed})`, pushLine(remote), undefined, { bodyFile, remote });

  // 6. The pull request.
  const url = await gitRemoteUrl(repo.git, remote);
  const pr = await openPullRequest({ base: baseBranch, head: branch, title: promotionTitle(name, version.version, options.to), body, bodyFile, draft: Boolean(options.draft), cwd: repo.root, open: options.pr !== false, ...(/gitlab/i.test(url ?? '') ? { prefer: 'glab' as const } : {}) }, options.prIo);
  return {
    entity: name,
    version: version.version,
    tag: version.tag,
    stage: options.to,
    branch,
    commit,
    base: { remote, branch: baseBranch, commit: base.commit ?? '', fetched: base.fetched },
    previous: plan.previous.map((a) => a.version),
    replaced: plan.replaced.map((a) => a.version),
    data,
    pushed: refspecs.map((r) => r.split(':')[0]!),
    pullRequest: { ...pr, bodyFile },
    warnings,
  };
}

/** The pull request's text in .trove/tmp/promote/ (per clone, never committed). */
function writeBodyFile(repo: Repo, branch: string, body: string): string {
  const dir = join(repo.troveDir, 'tmp', 'promote');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${branch.replace(/[^A-Za-z0-9._-]/g, '_')}.md`);
  writeFileSync(file, body);
  return file;
}

/**
 * One atomic `git push` of the branch and the tags; the reason when it fails.
 * Run again, promote replaces its own branch: on the remote too, but only
 * while the remote still has what this clone pushed there (a lease).
 */
async function pushBranchAndTags(repo: Repo, remote: string, branch: string, replacing: boolean, refspecs: readonly string[]): Promise<string | null> {
  const lease = replacing ? [`--force-with-lease=refs/heads/${branch}:${(await refCommit(repo, `refs/remotes/${remote}/${branch}`)) ?? ''}`] : [];
  const res = await repo.git.run(['push', '--atomic', '--quiet', ...lease, remote, ...refspecs], { allowFail: true, env: { GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes -o ConnectTimeout=10' } });
  if (res.code === 0) return null;
  const line = res.stderr.split('\n').find((l) => /fatal|error|rejected/.test(l)) ?? res.stderr.split('\n')[0] ?? '';
  return line.replace(/^(fatal|error): /, '').trim() || `exit code ${res.code}`;
}

/** Fetch BASE from the Git remote; offline (or no remote), fall back to what this clone has, and say so. */
async function findBase(repo: Repo, remote: string | null, branch: string, warnings: string[]): Promise<{ commit: string | null; fetched: boolean }> {
  if (remote) {
    const res = await repo.git.run(['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`], { allowFail: true, env: { GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes -o ConnectTimeout=10' } });
    if (res.code === 0) return { commit: await refCommit(repo, `refs/remotes/${remote}/${branch}`), fetched: true };
    warnings.push(`Could not fetch ${branch} from ${remote} (${(res.stderr.split('\n').find((l) => /fatal|error/.test(l)) ?? res.stderr).replace(/^(fatal|error): /, '').trim()}); the promotion is made on this clone's copy of ${branch}.`);
    const tracking = await refCommit(repo, `refs/remotes/${remote}/${branch}`);
    if (tracking) return { commit: tracking, fetched: false };
  }
  const localBranch = await refCommit(repo, `refs/heads/${branch}`);
  if (!localBranch) {
    throw new TroveError('NOT_FOUND', `Branch ${branch}, which promotions are proposed against, exists neither ${remote ? `on ${remote} nor ` : ''}in this clone.`, { hint: `Name the branch with --base BRANCH, or set registry.branch in .trove/config.yaml.`, data: { branch } });
  }
  return { commit: localBranch, fetched: false };
}

async function refCommit(repo: Repo, ref: string): Promise<string | null> {
  const res = await repo.git.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFail: true });
  const sha = res.stdout.toString('utf8').trim();
  return res.code === 0 && sha ? sha : null;
}

/**
 * Only trove's own promotion branches are ever replaced, and never the one
 * checked out (moving it would leave the work tree and index behind).
 */
async function refuseForeignBranch(repo: Repo, branch: string): Promise<void> {
  const head = (await repo.git.run(['symbolic-ref', '--quiet', 'HEAD'], { allowFail: true })).stdout.toString('utf8').trim();
  if (head === `refs/heads/${branch}` || !branch.startsWith('trove/promote/')) {
    throw new TroveError('USAGE', `Branch ${branch} already exists${head === `refs/heads/${branch}` ? ' and is checked out' : ''}; trove promote makes a new branch and only ever replaces its own trove/promote/* branches.`, { hint: `Name a new branch with --branch NAME, or leave --branch out (trove/promote/NAME-VERSION-STAGE).`, data: { branch } });
  }
}

async function checkBranchName(repo: Repo, branch: string): Promise<void> {
  const res = await repo.git.run(['check-ref-format', `refs/heads/${branch}`], { allowFail: true });
  if (res.code !== 0 || branch.startsWith('-')) throw new TroveError('USAGE', `"${branch}" is not a valid branch name.`, { hint: 'Name another with --branch NAME, or leave it out (trove/promote/NAME-VERSION-STAGE).', data: { branch } });
}

/**
 * Push what the versions' data needs and the remote lacks. A clone that has
 * not fetched some of that data can still promote when the remote already
 * holds it: what is missing here is then checked on the remote instead.
 */
async function pushVersionData(repo: Repo, versions: readonly RegisteredVersion[], remote: string | undefined): Promise<PromoteResult['data']> {
  try {
    const r = await push(repo, { ...(remote ? { remote } : {}), artifacts: versions.map(versionArtifact) });
    return { remote: r.remote, versions: versions.map((v) => v.tag), objects: r.objects, bytes: r.bytes };
  } catch (err) {
    const result = isTroveError(err, 'PARTIAL_TRANSFER') ? (err.data?.result as { remote: string; failed: unknown[]; missingLocally: unknown[]; objects: number; bytes: number } | undefined) : undefined;
    if (!result || result.failed.length > 0) throw err;
    const session = await openSession(repo, remote, undefined);
    try {
      const missing = await missingOnRemote(repo.store, session, versions, repo.reporter);
      if (missing.length) throw new TroveError('PARTIAL_TRANSFER', `${missing.map((m) => m.tag).join(', ')} ${missing.length === 1 ? 'has' : 'have'} data neither in this clone nor on ${session.name}.`, { hint: `Push it from the clone that made the version: trove push -r ${session.name}.`, data: { missing } });
      return { remote: session.name, versions: versions.map((v) => v.tag), objects: result.objects, bytes: result.bytes };
    } finally {
      await closeSession(session);
    }
  }
}

/** Files and bytes changed from the holder's data to the promoted version's, when both listings are here. */
function dataChange(repo: Repo, holder: RegisteredVersion | undefined, v: RegisteredVersion, held: boolean): DataChange | string | null {
  if (!held) return null;
  if (!holder) return 'the version the stage holds is not registered in this clone';
  const base = { from: holder.version, to: v.version, netBytes: v.dataSize - holder.dataSize };
  if (holder.dataOid === v.dataOid) return { ...base, added: 0, removed: 0, modified: 0, bytesAdded: 0, bytesRemoved: 0 };
  if (holder.dataKind !== 'dir' || v.dataKind !== 'dir') return { ...base, added: 0, removed: 0, modified: 1, bytesAdded: Math.max(0, base.netBytes), bytesRemoved: Math.max(0, -base.netBytes) };
  try {
    const d = diffManifests(repo.store, parseOid(holder.dataOid), parseOid(v.dataOid), v.path);
    const before = new Map(d.from.map((e) => [e.path, e.size]));
    const after = new Map(d.to.map((e) => [e.path, e.size]));
    let added = 0, removed = 0, modified = 0, bytesAdded = 0, bytesRemoved = 0;
    for (const [p, size] of after) {
      if (before.has(p)) modified++;
      else (added++, (bytesAdded += size));
    }
    for (const [p, size] of before) if (!after.has(p)) (removed++, (bytesRemoved += size));
    return { ...base, added, removed, modified, bytesAdded, bytesRemoved };
  } catch (err) {
    if (isTroveError(err, 'OBJECT_MISSING')) return `the data listing of ${holder.version} or ${v.version} is not in this clone's store (trove checkout ${holder.tag} brings it)`;
    throw err;
  }
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

