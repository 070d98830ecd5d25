import type { RegisteredVersion } from '../core/registryTypes.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import { checkOptions } from './checkOptions.js';
import { closeSession, openSession } from '../sync/remoteSession.js';
import { dataClosure, missingOnRemote, versionsByTag, type MissingData } from './versionData.js';
import type { Repo } from '../workspace/Repo.js';

export interface RegistryCheckOptions {
  /** the trove remote (default: core.remote, else the only one) */
  readonly remote?: string;
  /** every registered version that is not deprecated, not only those a stage holds */
  readonly all?: boolean;
}

export interface CheckedVersion {
  readonly tag: string;
  readonly path: string;
  /** stages holding it ("entity#stage"); empty for a version checked as a dependency or with --all */
  readonly heldBy: readonly string[];
  /** checked because a held version was made from it */
  readonly dependencyOf: readonly string[];
  readonly complete: boolean;
  /** store objects the remote lacks */
  readonly missingObjects: number;
  readonly examples: readonly string[];
}

export interface RegistryCheckResult {
  readonly remote: string;
  readonly url: string;
  readonly versions: readonly CheckedVersion[];
  /** versions (tags) with data missing on the remote, and lineage entries no version answers */
  readonly missing: readonly string[];
  readonly unknown: readonly string[];
  readonly ok: boolean;
}

/**
 * Whether every version a stage holds, and every version it was made from,
 * has all its data on the remote: a stage pointing at data nobody can fetch
 * is found in CI, not at deployment. Directory listings the local store
 * lacks are read from the remote; file contents are never downloaded.
 * `ok` is false (the CLI exits 1) when anything is missing.
 *
 * @example
 *   const r = await registryCheck(repo, { remote: 'storage' });
 *   if (!r.ok) console.error(r.missing);
 */
export async function registryCheck(repo: Repo, options: RegistryCheckOptions = {}): Promise<RegistryCheckResult> {
  checkOptions('registryCheck', repo, options, { remote: 'string?', all: 'boolean?' });
  const snapshot = await loadRegistry(repo, {});
  const heldBy = new Map<string, string[]>();
  const roots: string[] = [];
  for (const e of snapshot.entities.values()) {
    for (const [stage, list] of Object.entries(e.stages)) {
      for (const a of list) {
        const tag = `${e.record.name}@${a.version}`;
        if (!heldBy.has(tag)) (heldBy.set(tag, []), roots.push(tag));
        heldBy.get(tag)!.push(`${e.record.name}#${stage}`);
      }
    }
    if (options.all) for (const v of e.versions) if (!v.deprecated && !heldBy.has(v.tag)) (heldBy.set(v.tag, []), roots.push(v.tag));
  }
  const closure = dataClosure(snapshot, roots);
  const byTag = versionsByTag(snapshot);
  // Which held version needs each dependency (for the message).
  const dependencyOf = new Map<string, Set<string>>();
  for (const root of roots) {
    const stack = [...(byTag.get(root)?.uses ?? [])];
    const seen = new Set<string>();
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      if (!dependencyOf.has(t)) dependencyOf.set(t, new Set());
      dependencyOf.get(t)!.add(root);
      stack.push(...(byTag.get(t)?.uses ?? []));
    }
  }
  const session = await openSession(repo, options.remote, undefined);
  try {
    const missing = new Map<string, MissingData>((await missingOnRemote(repo.store, session, closure.versions, repo.reporter)).map((m) => [m.tag, m]));
    const versions = closure.versions.map((v: RegisteredVersion): CheckedVersion => {
      const m = missing.get(v.tag);
      return { tag: v.tag, path: v.path, heldBy: heldBy.get(v.tag) ?? [], dependencyOf: [...(dependencyOf.get(v.tag) ?? [])].sort(), complete: !m, missingObjects: m?.objects ?? 0, examples: m?.examples ?? [] };
    });
    // Stage-held tags no version answers (a stage file naming a version whose tag is gone).
    const unknown = closure.unknown.sort();
    return { remote: session.name, url: session.backend.display, versions, missing: [...missing.keys()].sort(), unknown, ok: missing.size === 0 && unknown.length === 0 };
  } finally {
    await closeSession(session);
  }
}
