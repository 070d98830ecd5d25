import { TroveError } from '../errors/index.js';
import { displayUrl, firstLine, UPSTREAM_REMOTE, type UpstreamRepo } from './upstreamRepo.js';

export interface UpstreamRev {
  /** full commit id */
  readonly commit: string;
  /** the ref the revision named (refs/heads/main, refs/tags/v1), when it named one */
  readonly ref?: string;
}

const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * Resolve `rev` (default: the other repository's HEAD, i.e. its default
 * branch) and bring that commit and its trees into the cache with the least
 * transfer:
 *
 * 1. `ls-remote` (one round trip): is the URL a repository at all, and is
 *    `rev` a branch, a tag or HEAD? Then we know the commit id.
 * 2. `fetch --depth 1 --filter=blob:none <commit>`: one commit, its trees, no
 *    blobs. Servers that refuse shallow fetches (dumb HTTP) get a second try
 *    without depth; a server that ignores the filter just sends blobs.
 * 3. Otherwise (an abbreviated id, `main~3`, or a commit the server will not
 *    serve by id): fetch every branch and tag without blobs and let git
 *    resolve the revision in the cache.
 */
export async function fetchUpstreamRev(up: UpstreamRepo, rev: string | undefined): Promise<UpstreamRev> {
  if (rev !== undefined && (rev === '' || rev.startsWith('-'))) throw new TroveError('USAGE', `Invalid revision "${rev}".`, { hint: 'Name a branch, tag or commit id.' });
  const refs = await listRemoteRefs(up);
  const named = pickRef(refs, rev);
  if (named) {
    if ((await tryFetch(up, ['--depth', '1'], named.commit)) || (await tryFetch(up, [], named.commit))) return named;
    await fetchAll(up, refs.head);
    if (await hasCommit(up, named.commit)) return named;
    throw new TroveError('GIT', `Cannot fetch commit ${named.commit.slice(0, 12)} from ${displayUrl(up.url)}.`, { hint: 'Check your network and access to that repository, then run the command again.', data: { url: displayUrl(up.url), rev: rev ?? null } });
  }
  if (rev !== undefined && FULL_SHA.test(rev) && ((await tryFetch(up, ['--depth', '1'], rev)) || (await tryFetch(up, [], rev)))) return { commit: rev };
  if (rev === undefined) throw notFound(up, 'HEAD', 'it has no commits (or no default branch)');
  await fetchAll(up, refs.head);
  const res = await up.git.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { allowFail: true });
  const commit = res.stdout.toString('utf8').trim();
  if (res.code !== 0 || !FULL_SHA.test(commit)) throw notFound(up, rev);
  return { commit };
}

interface RemoteRefs {
  /** ref name (and `<ref>^{}` for peeled tags) → object id */
  readonly ids: Map<string, string>;
  /** the ref HEAD points to, e.g. refs/heads/main */
  readonly head?: string;
}

async function listRemoteRefs(up: UpstreamRepo): Promise<RemoteRefs> {
  const res = await up.git.run(['ls-remote', '--symref', UPSTREAM_REMOTE], { allowFail: true });
  if (res.code !== 0) {
    throw new TroveError('GIT', `Cannot read the Git repository ${displayUrl(up.url)}: ${firstLine(res.stderr) || `git ls-remote exited with ${res.code}`}.`, {
      hint: 'Check the URL and your access to it (git ls-remote URL must work); a local repository is given by its path.',
      data: { url: displayUrl(up.url) },
    });
  }
  const ids = new Map<string, string>();
  let head: string | undefined;
  for (const line of res.stdout.toString('utf8').split('\n')) {
    const sym = /^ref: (\S+)\tHEAD$/.exec(line);
    if (sym) head = sym[1];
    const m = /^([0-9a-f]{40,64})\t(.+)$/.exec(line);
    if (m) ids.set(m[2]!, m[1]!);
  }
  return { ids, ...(head ? { head } : {}) };
}

/** Git's own order for a short name: refs/<rev>, refs/tags/<rev>, refs/heads/<rev>; tags peeled to their commit. */
function pickRef(refs: RemoteRefs, rev: string | undefined): UpstreamRev | undefined {
  const candidates = rev === undefined || rev === 'HEAD' ? ['HEAD'] : rev.startsWith('refs/') ? [rev] : [`refs/${rev}`, `refs/tags/${rev}`, `refs/heads/${rev}`];
  for (const ref of candidates) {
    const commit = refs.ids.get(`${ref}^{}`) ?? refs.ids.get(ref);
    if (commit) return { commit, ...(ref === 'HEAD' ? (refs.head ? { ref: refs.head } : {}) : { ref }) };
  }
  return undefined;
}

async function tryFetch(up: UpstreamRepo, options: string[], commit: string): Promise<boolean> {
  const res = await up.git.run(['fetch', '-q', '--no-tags', '--no-write-fetch-head', '--filter=blob:none', ...options, UPSTREAM_REMOTE, commit], { allowFail: true });
  return res.code === 0;
}

/** Every branch and tag, with history but without blobs; HEAD follows the other repository's, so `HEAD~2` means there what it means here. */
async function fetchAll(up: UpstreamRepo, head: string | undefined): Promise<void> {
  const shallow = (await up.git.run(['rev-parse', '--is-shallow-repository'])).stdout.toString('utf8').trim() === 'true';
  const res = await up.git.run(['fetch', '-q', '--no-tags', '--no-write-fetch-head', '--filter=blob:none', ...(shallow ? ['--unshallow'] : []), UPSTREAM_REMOTE, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'], { allowFail: true });
  if (res.code !== 0) {
    throw new TroveError('GIT', `Cannot fetch from ${displayUrl(up.url)}: ${firstLine(res.stderr) || `git fetch exited with ${res.code}`}.`, { hint: 'Check your network and access to that repository, then run the command again.', data: { url: displayUrl(up.url) } });
  }
  if (head?.startsWith('refs/heads/')) await up.git.run(['symbolic-ref', 'HEAD', head], { allowFail: true });
}

/** Only called after fetching everything, so a lazy fetch of a missing commit costs at most one refused request. */
async function hasCommit(up: UpstreamRepo, commit: string): Promise<boolean> {
  return (await up.git.run(['cat-file', '-e', `${commit}^{commit}`], { allowFail: true })).code === 0;
}

function notFound(up: UpstreamRepo, rev: string, why = 'there is no such branch, tag or commit'): TroveError {
  return new TroveError('NOT_FOUND', `Revision "${rev}" does not exist in ${displayUrl(up.url)}: ${why}.`, {
    hint: `List its branches and tags with git ls-remote ${displayUrl(up.url)}, or leave out --rev for its default branch.`,
    data: { url: displayUrl(up.url), rev },
  });
}
