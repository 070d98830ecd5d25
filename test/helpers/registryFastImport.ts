/**
 * A registry written straight into a Git repository, without `trove create`
 * or `trove version`: entity declarations committed, version records as
 * annotated tags made by ONE `git fast-import` (thousands of tags in well
 * under a second), so readers (lineage, metrics, registry) are tested and
 * timed on large registries without waiting for thousands of commands.
 */
import { execFileSync } from 'node:child_process';
import { entityFilePath, serializeEntityRecord } from '../../src/core/entityRecord.js';
import { versionTagMessage } from '../../src/core/versionRecord.js';
import type { EntityRecord, MetricValue, VersionRecord } from '../../src/core/registryTypes.js';
import type { TmpRepo } from './tmpRepo.js';

export interface FixtureVersion {
  readonly version: string;
  readonly uses?: readonly string[];
  readonly metrics?: Readonly<Record<string, MetricValue>>;
  /** tagger date, unix seconds */
  readonly time: number;
  readonly dataOid?: string;
  readonly dataSize?: number;
  readonly dataFiles?: number;
}

export interface FixtureEntity {
  readonly name: string;
  readonly type: string;
  readonly categories?: readonly string[];
  readonly versions: readonly FixtureVersion[];
}

/** Commit the declarations, then tag HEAD once per version (annotated tags, as trove version makes them). */
export function writeRegistryFixture(repo: TmpRepo, entities: readonly FixtureEntity[]): void {
  for (const e of entities) {
    const categories = e.categories ?? ['handwritten', 'digits'];
    const record: EntityRecord = { format: 1, name: e.name, type: e.type, categories, path: [e.type, ...categories, e.name].join('/'), mutability: 'strict', description: '' };
    repo.write(entityFilePath(e.name), serializeEntityRecord(record));
  }
  repo.git('add', '-A');
  repo.git('commit', '-qm', 'registry fixture: declarations');
  const head = repo.git('rev-parse', 'HEAD').trim();
  const chunks: Buffer[] = [];
  for (const e of entities) {
    const categories = e.categories ?? ['handwritten', 'digits'];
    for (const v of e.versions) {
      const record: VersionRecord = {
        format: 1,
        entity: e.name,
        type: e.type,
        version: v.version,
        path: [e.type, ...categories, e.name].join('/'),
        dataOid: v.dataOid ?? `sha256:${'0'.repeat(63)}1`,
        dataKind: 'dir',
        dataSize: v.dataSize ?? 1000,
        dataFiles: v.dataFiles ?? 10,
        uses: [...(v.uses ?? [])].sort(),
        metrics: v.metrics ?? {},
      };
      const message = Buffer.from(versionTagMessage(record), 'utf8');
      chunks.push(Buffer.from(`tag ${e.name}@${v.version}\nfrom ${head}\ntagger Ann <ann@example.com> ${v.time} +0000\ndata ${message.length}\n`), message, Buffer.from('\n'));
    }
  }
  chunks.push(Buffer.from('done\n'));
  execFileSync('git', ['fast-import', '--quiet', '--done'], { cwd: repo.dir, input: Buffer.concat(chunks) });
}
