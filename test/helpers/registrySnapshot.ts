/**
 * Build a RegistrySnapshot in memory for unit tests of the registry's pure
 * functions (resolveRef, lineage, metrics table): no git, no files.
 */
import type {
  EntityRecord,
  Mutability,
  MetricValue,
  RegisteredVersion,
  RegistryEntity,
  RegistrySnapshot,
  StageAssignment,
} from '../../src/core/registryTypes.js';
import { compareVersions } from '../../src/core/registryNames.js';

export interface FakeVersion {
  version: string;
  uses?: string[];
  metrics?: Record<string, MetricValue>;
  /** unix seconds; default: derived from the version so rows order by time */
  time?: number;
  deprecated?: boolean;
  author?: string;
}

export interface FakeEntity {
  name: string;
  type?: string;
  categories?: string[];
  mutability?: Mutability;
  deprecated?: boolean;
  versions?: FakeVersion[];
  stages?: Record<string, StageAssignment[]>;
}

export function fakeCommit(seed: string): string {
  let h = 0;
  for (const c of seed) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(5);
}

export function makeSnapshot(entities: FakeEntity[], commit: string | null = null): RegistrySnapshot {
  const map = new Map<string, RegistryEntity>();
  for (const e of entities) {
    const type = e.type ?? 'dataset';
    const categories = e.categories ?? [];
    const record: EntityRecord = {
      format: 1,
      name: e.name,
      type,
      categories,
      path: [type, ...categories, e.name].join('/'),
      mutability: e.mutability ?? 'strict',
      description: '',
    };
    const versions: RegisteredVersion[] = (e.versions ?? [])
      .map((v, i): RegisteredVersion => ({
        format: 1,
        entity: e.name,
        type,
        version: v.version,
        path: record.path,
        dataOid: `sha256:${fakeCommit(`${e.name}@${v.version}`).padEnd(64, '0')}`,
        dataKind: 'dir',
        dataSize: 100 * (i + 1),
        dataFiles: i + 1,
        uses: [...(v.uses ?? [])].sort(),
        metrics: v.metrics ?? {},
        tag: `${e.name}@${v.version}`,
        commit: fakeCommit(`${e.name}@${v.version}`),
        time: v.time ?? 1_700_000_000 + i * 3600,
        author: v.author ?? 'Ann <ann@example.com>',
        deprecated: v.deprecated ?? false,
      }))
      .sort((a, b) => compareVersions(a.version, b.version));
    map.set(e.name, {
      record,
      file: `.trove/registry/entities/${e.name}.yaml`,
      deprecated: e.deprecated ?? false,
      versions,
      stages: e.stages ?? {},
    });
  }
  return { commit, entities: map, warnings: [] };
}

/** The registry of seed 002: mnist and labelsmnist v1, v2; modelmnist v1 (0.9705) and v2 (0.9746). */
export function mnistSnapshot(): RegistrySnapshot {
  const cats = ['handwritten', 'digits'];
  return makeSnapshot([
    { name: 'mnist', type: 'dataset', categories: cats, versions: [{ version: 'v1.0.0' }, { version: 'v2.0.0' }] },
    {
      name: 'labelsmnist',
      type: 'labels',
      categories: cats,
      versions: [
        { version: 'v1.0.0', uses: ['mnist@v1.0.0'] },
        { version: 'v2.0.0', uses: ['mnist@v2.0.0'] },
      ],
    },
    {
      name: 'modelmnist',
      type: 'model',
      categories: cats,
      mutability: 'mutable',
      versions: [
        // 2021-03-25 14:52:42 and 14:55:52 UTC, as in the seed's table
        { version: 'v1.0.0', uses: ['mnist@v1.0.0', 'labelsmnist@v1.0.0'], metrics: { accuracy: 0.9705 }, time: 1616683962 },
        { version: 'v2.0.0', uses: ['mnist@v2.0.0', 'labelsmnist@v2.0.0'], metrics: { accuracy: 0.9746 }, time: 1616684152 },
      ],
    },
  ]);
}
