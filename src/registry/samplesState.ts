import { join } from 'node:path';
import { TroveError, isTroveError } from '../errors/index.js';
import { readFileNoFollow } from '../platform/readFileNoFollow.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';

/**
 * The per-clone marker of sampled checkouts, `.trove/tmp/samples.json`
 * (never committed; docs/formats.md "Sampling"). An entity listed here has
 * only a sample of a version's files in the work tree, so it must not become
 * a version (`trove version`), nor be re-added (`trove add`): the files left
 * out would be recorded as deleted. `trove checkout NAME@V --full` clears it.
 *
 *     {
 *       "version": 1,
 *       "entities": {
 *         "mnist": {"version": "v2.0.0", "sample": "stable:1:10", "seed": "0", "files": 540, "path": "dataset/handwritten/digits/mnist"}
 *       }
 *     }
 *
 * Keys in this order; entities sorted by name.
 */
export const SAMPLES_FORMAT = 1;
export const SAMPLES_FILE = 'tmp/samples.json';

export interface SampleMark {
  /** the entity's version that was sampled (vX.Y.Z), or null for a sample of a bare pointer */
  readonly version: string | null;
  /** the canonical spec, e.g. stable:1:10 (formatSampleSpec) */
  readonly sample: string;
  readonly seed: string;
  /** how many files the sample placed */
  readonly files: number;
  /** the entity's data path, relative to the work tree */
  readonly path: string;
}

export interface SamplesState {
  readonly version: number;
  readonly entities: Readonly<Record<string, SampleMark>>;
}

export interface ReadSamplesOptions {
  /** called instead of throwing when the file is unreadable or corrupt; the state is then read as empty */
  readonly onCorrupt?: (err: TroveError) => void;
}

const samplesPath = (troveDir: string): string => join(troveDir, 'tmp', 'samples.json');

/** The marker file, empty when absent. A corrupt file is BAD_RECORD (or passed to onCorrupt). */
export function readSamples(troveDir: string, options: ReadSamplesOptions = {}): SamplesState {
  const file = samplesPath(troveDir);
  try {
    let bytes: Buffer | undefined;
    try {
      bytes = readFileNoFollow(file);
    } catch (err) {
      throw corrupt(`it cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    if (bytes === undefined) return { version: SAMPLES_FORMAT, entities: {} };
    return parseSamples(bytes.toString('utf8'));
  } catch (err) {
    if (options.onCorrupt && isTroveError(err, 'BAD_RECORD')) {
      options.onCorrupt(err);
      return { version: SAMPLES_FORMAT, entities: {} };
    }
    throw err;
  }
}

/** Parse the file's text (exported for the golden test). */
export function parseSamples(text: string): SamplesState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw corrupt(`it is not JSON (${(err as Error).message})`);
  }
  if (!isObject(doc)) throw corrupt('it is not a JSON object');
  if (typeof doc.version !== 'number' || !Number.isInteger(doc.version)) throw corrupt('"version" is not a whole number');
  if (doc.version > SAMPLES_FORMAT) {
    throw new TroveError('NEWER_FORMAT', `.trove/${SAMPLES_FILE} was written by a newer trove (format ${doc.version}).`, {
      hint: 'Upgrade trove, or run trove checkout NAME@VERSION --full to replace the sampled checkout.',
      data: { file: `.trove/${SAMPLES_FILE}`, format: doc.version },
    });
  }
  if (!isObject(doc.entities)) throw corrupt('"entities" is not an object');
  const entities: Record<string, SampleMark> = {};
  for (const [name, m] of Object.entries(doc.entities)) {
    if (!isObject(m)) throw corrupt(`the entry of "${name}" is not an object`);
    const ok =
      (m.version === null || typeof m.version === 'string') &&
      typeof m.sample === 'string' &&
      typeof m.seed === 'string' &&
      typeof m.files === 'number' &&
      Number.isInteger(m.files) &&
      m.files >= 0 &&
      typeof m.path === 'string' &&
      m.path !== '';
    if (!ok) throw corrupt(`the entry of "${name}" lacks version, sample, seed, files or path`);
    entities[name] = { version: m.version as string | null, sample: m.sample as string, seed: m.seed as string, files: m.files as number, path: m.path as string };
  }
  return { version: doc.version, entities };
}

/** The file's text: fixed key order, entities sorted by name, 2-space indent, trailing newline. */
export function serializeSamples(state: SamplesState): string {
  const entities: Record<string, SampleMark> = {};
  for (const name of Object.keys(state.entities).sort()) {
    const m = state.entities[name]!;
    entities[name] = { version: m.version, sample: m.sample, seed: m.seed, files: m.files, path: m.path };
  }
  return JSON.stringify({ version: SAMPLES_FORMAT, entities }, null, 2) + '\n';
}

/** Record that `entity` is a sampled checkout (replacing an earlier mark). A corrupt file is replaced. */
export function markSampled(troveDir: string, entity: string, info: SampleMark): void {
  const state = readSamples(troveDir, { onCorrupt: () => undefined });
  write(troveDir, { version: SAMPLES_FORMAT, entities: { ...state.entities, [entity]: { ...info } } });
}

/** Forget `entity`'s sample (after a full checkout). Returns whether it was marked. */
export function clearSampled(troveDir: string, entity: string): boolean {
  const state = readSamples(troveDir, { onCorrupt: () => undefined });
  if (!(entity in state.entities)) return false;
  const entities = { ...state.entities };
  delete entities[entity];
  write(troveDir, { version: SAMPLES_FORMAT, entities });
  return true;
}

/** SAMPLED when `entity`'s work tree holds a sample: it cannot become a version. */
export function assertNotSampled(troveDir: string, entity: string, options: ReadSamplesOptions = {}): void {
  const mark = readSamples(troveDir, options).entities[entity];
  if (mark) throw sampledError(entity, mark);
}

/**
 * The sampled entity whose data path holds `dataPath` (or lies inside it),
 * or null: `trove add` there would record the files left out as deleted.
 */
export function sampledEntityForPath(troveDir: string, dataPath: string, options: ReadSamplesOptions = {}): { entity: string; mark: SampleMark } | null {
  return findSampled(readSamples(troveDir, options), dataPath);
}

/** sampledEntityForPath for several paths, reading the file once: SAMPLED for the first one hit. */
export function refuseSampledPaths(troveDir: string, dataPaths: readonly string[], options: ReadSamplesOptions = {}): void {
  const state = readSamples(troveDir, options);
  for (const p of dataPaths) {
    const hit = findSampled(state, p);
    if (hit) throw sampledError(hit.entity, hit.mark);
  }
}

function findSampled(state: SamplesState, dataPath: string): { entity: string; mark: SampleMark } | null {
  const p = dataPath.replace(/\/+$/, '').replace(/\.trove$/, '');
  for (const [entity, mark] of Object.entries(state.entities)) {
    if (p === mark.path || p.startsWith(mark.path + '/') || mark.path.startsWith(p + '/')) return { entity, mark };
  }
  return null;
}

/** The refusal: one sentence, the command that ends the sampled state, and {entity, sample} for --json. */
export function sampledError(entity: string, mark: SampleMark): TroveError {
  const ref = mark.version ? `${entity}@${mark.version}` : entity;
  return new TroveError('SAMPLED', `${entity} is a sampled checkout (${mark.sample}, seed ${mark.seed}, ${mark.files} files at ${mark.path}): the files left out would be recorded as deleted.`, {
    hint: `trove checkout ${ref} --full`,
    data: { entity, sample: mark.sample, seed: mark.seed, version: mark.version, path: mark.path },
  });
}

function write(troveDir: string, state: SamplesState): void {
  atomicWriteSync(samplesPath(troveDir), serializeSamples(state));
}

function corrupt(reason: string): TroveError {
  return new TroveError('BAD_RECORD', `.trove/${SAMPLES_FILE} is invalid: ${reason}.`, {
    hint: 'Run trove checkout NAME@VERSION --full for the sampled entity (or delete the file if no checkout is sampled).',
    data: { file: `.trove/${SAMPLES_FILE}`, reason },
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
