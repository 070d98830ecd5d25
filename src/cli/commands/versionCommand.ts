import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import { TroveError } from '../../errors/index.js';
import type { Bump } from '../../core/registryTypes.js';
import { defineCommand } from '../defineCommand.js';
import { collect } from './transferOptions.js';
import type { RegisterVersionResult } from '../../api/registerVersion.js';

export interface VersionResult {
  readonly trove: string;
  readonly node: string;
}

let packagedVersion: string | undefined;

/**
 * trove's version as packaged: dist/src/cli/commands/ → the package root's
 * package.json, in a checkout and once installed. package.json is the only
 * place the version is written; it is read once per process.
 */
export function troveVersion(): string {
  if (packagedVersion !== undefined) return packagedVersion;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    packagedVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    // no readable package.json beside the build: the version prints as unknown, nothing else depends on it
    packagedVersion = 'unknown';
  }
  return packagedVersion;
}

/** Options that only make sense with NAME (registering a version). */
const REGISTER_OPTIONS = ['bump', 'version', 'metric', 'metricsFile', 'dataset', 'labels', 'uses', 'rev', 'allowIdentical', 'message'] as const;

/**
 * Two commands under one name (docs/decisions.md): `trove version` alone
 * prints trove's own version, as it always has; `trove version NAME`
 * registers a version of entity NAME. The results have different shapes
 * (`{trove, node}` and `{entity, version, tag, …}`).
 */
export const versionCommand = defineCommand<VersionResult | RegisterVersionResult>({
  name: 'version',
  summary: "register a version of an entity (trove version NAME), or print trove's version (trove version)",
  examples: [
    'trove version mnist                                   # next major version: mnist@v1.0.0, mnist@v2.0.0, …',
    'trove version modelmnist --metric accuracy=0.9746 --dataset mnist --labels labelsmnist',
    'trove version modelmnist --bump minor --metrics-file metrics.csv',
    'trove version mnist --version 1.2.0 -m "cleaned labels"',
    'trove version mnist --rev HEAD~3                      # register an existing commit (GTO register)',
    "trove version                                         # trove's own version",
  ],
  configure: (cmd) =>
    cmd
      .argument('[name]', 'the entity to register a version of (none: print trove\'s version)')
      .addOption(new Option('--bump <part>', 'which part of the version grows (default registry.bump: major)').choices(['major', 'minor', 'patch']))
      .option('--version <v>', 'an explicit version: v1.2.0, 1.2.0, or 3 for v3.0.0')
      .option('--metric <key=value>', 'a metric of this version (repeatable)', collect)
      .option('--metrics-file <file>', 'metrics from a JSON, YAML or CSV (header row + one value row) file')
      .option('--dataset <name[@version]>', 'the dataset it was made from (no version: the one in the work tree now)')
      .option('--labels <name[@version]>', 'the labels it was made from')
      .option('--uses <name[@version]>', 'another entity it was made from (repeatable)', collect)
      .option('--rev <ref>', 'register this existing commit instead of the work tree')
      .option('--allow-identical', 'make the version even when its bytes equal an existing version\'s')
      .option('-m, --message <text>', 'a note kept with the version (tag and commit message)'),
  async run(ctx, args, opts) {
    const name = args[0] as string | undefined;
    if (name === undefined) {
      const given = REGISTER_OPTIONS.filter((o) => opts[o] !== undefined);
      if (given.length) throw new TroveError('USAGE', `--${given[0]!.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} needs the entity to version.`, { hint: 'trove version NAME … (trove registry lists the entities)' });
      return { trove: troveVersion(), node: process.versions.node };
    }
    const [{ registerVersion }, { openRepo }] = await Promise.all([import('../../api/registerVersion.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return registerVersion(repo, {
      name,
      ...(opts.bump !== undefined ? { bump: opts.bump as Bump } : {}),
      ...(opts.version !== undefined ? { version: String(opts.version) } : {}),
      metrics: (opts.metric as string[] | undefined) ?? [],
      ...(opts.metricsFile !== undefined ? { metricsFile: String(opts.metricsFile) } : {}),
      ...(opts.dataset !== undefined ? { dataset: String(opts.dataset) } : {}),
      ...(opts.labels !== undefined ? { labels: String(opts.labels) } : {}),
      uses: (opts.uses as string[] | undefined) ?? [],
      ...(opts.rev !== undefined ? { rev: String(opts.rev) } : {}),
      allowIdentical: opts.allowIdentical === true,
      ...(opts.message !== undefined ? { message: String(opts.message) } : {}),
    });
  },
  render(out, r) {
    if (!('tag' in r)) {
      out.line(`trove ${r.trove}`);
      out.line(`node ${r.node}`);
      return;
    }
    for (const w of r.warnings) out.warn(w);
    const files = r.record.dataKind === 'dir' ? `${r.record.dataFiles} files, ` : '';
    out.line(`registered ${r.tag} (${files}${r.record.dataSize} bytes) at ${r.commit.slice(0, 12)}${r.committed ? '' : ' (existing commit)'}`);
    if (r.record.uses.length) out.line(`  made from ${r.record.uses.join(', ')}`);
    const metrics = Object.entries(r.record.metrics);
    if (metrics.length) out.line(`  metrics   ${metrics.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    if (r.readOnly) out.info(`${r.entity} is flexible: its ${r.readOnly} file(s) are now read-only (trove unlock PATH to edit one).`);
    out.info(`Share it: git push (push.followTags sends the tag) and trove push (the data).`);
  },
});
