import { createHash } from 'node:crypto';
import { TroveError } from '../errors/index.js';
import type { SampleSpec } from './registryTypes.js';

/**
 * Sampling a directory version (issue 14 point 4; docs/sampling.md).
 *
 * ml-git's three kinds keep their documented meaning and validation
 * (HPInc/ml-git ml_git/sample.py): `range:START:STOP[:STEP]`,
 * `group:AMOUNT:SIZE`, `random:AMOUNT:FREQ`. What differs, on purpose:
 * - indices run over the entries sorted by the UTF-8 bytes of their path
 *   (ml-git used its manifest's order, which nobody can reproduce);
 * - the random source is SHA-256 in counter mode, not Python's Mersenne
 *   Twister: the same seed gives the same sample on every platform and
 *   version of trove, but not ml-git's files;
 * - `group` clips the last group instead of raising IndexError;
 * - `stable:AMOUNT:FREQ` (new) picks by content hash, so a file stays in
 *   the sample when others are added or it is renamed.
 * Every refusal is USAGE with `data.rule`, named after ml-git's message.
 */

export interface SampleEntry {
  readonly path: string;
  /** the content's oid, `sha256:HEX` (or bare HEX) */
  readonly oid: string;
}

/** The default seed, recorded with every sample. */
export const DEFAULT_SEED = '0';

export const SAMPLE_KINDS = ['range', 'group', 'random', 'stable'] as const;

const EXAMPLES = 'range:0:all:2, group:2:10, random:1:10 or stable:1:10';

function refuse(rule: string, message: string, spec?: string): never {
  throw new TroveError('USAGE', message, {
    hint: `Write the sample as KIND:ARGS, e.g. ${EXAMPLES} (docs/sampling.md).`,
    data: { rule, ...(spec !== undefined ? { sample: spec } : {}) },
  });
}

function int(s: string, what: string, spec: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) refuse('too-large', `The ${what} of the sample "${spec}" is too large.`, spec);
  return n;
}

/**
 * Parse `range:0:all:2`, `group:2:10`, `random:1:10` or `stable:1:10`. The
 * checks that need the number of files (stop within the list, size below
 * it) are made by selectSample.
 */
export function parseSampleSpec(s: string): SampleSpec {
  const colon = s.indexOf(':');
  const kind = colon < 0 ? s : s.slice(0, colon);
  const args = colon < 0 ? '' : s.slice(colon + 1);
  switch (kind) {
    case 'range': {
      // ml-git: ^(\d+):(all|-1|\d+)(:(\d+))?$ (ASCII digits here: Python's \d also takes other scripts' digits).
      const m = /^([0-9]+):(all|-1|[0-9]+)(?::([0-9]+))?$/.exec(args);
      if (!m) refuse('format', `The range sample "${s}" is not range:START:STOP[:STEP] (STOP may be all or -1).`, s);
      const start = int(m[1]!, 'start', s);
      const stop = m[2] === 'all' || m[2] === '-1' ? 'all' : int(m[2]!, 'stop', s);
      const step = m[3] === undefined ? 1 : int(m[3], 'step', s);
      // Python's range() raises on a step of 0; ml-git let that through to a traceback.
      if (step === 0) refuse('step-greater-zero', `The step of the range sample "${s}" must be greater than zero.`, s);
      if (stop !== 'all') checkRange(start, stop, step, s);
      return { kind: 'range', start, stop, step };
    }
    case 'group':
    case 'random':
    case 'stable': {
      const m = /^([0-9]+):([0-9]+)$/.exec(args);
      const second = kind === 'group' ? 'SIZE' : 'FREQ';
      if (!m) refuse('format', `The ${kind} sample "${s}" is not ${kind}:AMOUNT:${second} with two whole numbers.`, s);
      const amount = int(m[1]!, 'amount', s);
      const other = int(m[2]!, kind === 'group' ? 'group size' : 'frequency', s);
      if (kind === 'group') {
        if (amount === 0) refuse('amount-greater-zero', `The amount of the group sample "${s}" must be greater than zero.`, s);
        if (other === 0) refuse('group-size-greater-zero', `The group size of the group sample "${s}" must be greater than zero.`, s);
        if (amount >= other) refuse('amount-smaller-group-size', `The amount of the group sample "${s}" must be smaller than the group size.`, s);
        return { kind, amount, size: other };
      }
      if (other === 0) refuse('frequency-greater-zero', `The frequency of the ${kind} sample "${s}" must be greater than zero.`, s);
      // ml-git accepted random:0:F and returned an empty sample; an empty checkout is never what was meant.
      if (amount === 0) refuse('amount-greater-zero', `The amount of the ${kind} sample "${s}" must be greater than zero.`, s);
      if (amount >= other) refuse('amount-smaller-frequency', `The amount of the ${kind} sample "${s}" must be smaller than the frequency.`, s);
      return { kind, amount, frequency: other };
    }
    default:
      return refuse('kind', `"${s}" is not a sample: the kind must be range, group, random or stable.`, s);
  }
}

/** ml-git's `--sample-type T --sampling ARGS` (and trove's own `stable`). */
export function sampleSpecFrom(type: string, args: string): SampleSpec {
  if (!(SAMPLE_KINDS as readonly string[]).includes(type)) refuse('kind', `"${type}" is not a sample type: use range, group, random or stable.`, `${type}:${args}`);
  return parseSampleSpec(`${type}:${args}`);
}

/** The canonical text of a spec (what samples.json records): parseSampleSpec(formatSampleSpec(s)) equals s. */
export function formatSampleSpec(spec: SampleSpec): string {
  switch (spec.kind) {
    case 'range':
      return `range:${spec.start}:${spec.stop}${spec.step === 1 ? '' : `:${spec.step}`}`;
    case 'group':
      return `group:${spec.amount}:${spec.size}`;
    default:
      return `${spec.kind}:${spec.amount}:${spec.frequency}`;
  }
}

function checkRange(start: number, stop: number, step: number, s: string): void {
  if (start >= stop) refuse('start-smaller-than-stop', `The start of the range sample "${s}" must be smaller than its stop.`, s);
  // ml-git's rule, kept although range:0:10:10 would make sense: the same spec must be accepted by both.
  if (step >= stop) refuse('step-smaller-than-stop', `The step of the range sample "${s}" must be smaller than its stop.`, s);
}

/**
 * The sampled paths. `entries` may come in any order (sorted by path bytes
 * here); duplicates of a path count once. `seed` drives group and random
 * (SHA-256 counter mode) and stable (content hash).
 */
export function selectSample(entries: readonly SampleEntry[], spec: SampleSpec, seed: string): Set<string> {
  const sorted = sortByPathBytes(entries);
  const out = new Set<string>();
  if (spec.kind === 'stable') {
    if (sorted.length === 0) emptyList(spec);
    for (const e of sorted) if (stablePick(e.oid, spec.amount, spec.frequency, seed)) out.add(e.path);
    return out;
  }
  for (const i of sampleIndices(sorted.length, spec, seed)) out.add(sorted[i]!.path);
  return out;
}

/** The 0-based indices (ascending) that `spec` picks from `n` entries sorted by path. */
export function sampleIndices(n: number, spec: SampleSpec, seed: string): number[] {
  if (n === 0) emptyList(spec);
  const text = formatSampleSpec(spec);
  switch (spec.kind) {
    case 'range': {
      const stop = spec.stop === 'all' ? n : spec.stop;
      checkRange(spec.start, stop, spec.step, text);
      if (stop > n) refuse('stop-smaller-list-size', `The stop of the range sample "${text}" is past the ${n} files of the directory.`, text);
      const out: number[] = [];
      for (let i = spec.start; i < stop; i += spec.step) out.push(i);
      return out;
    }
    case 'group': {
      if (spec.size >= n) refuse('group-size-smaller-list-size', `The group size of the sample "${text}" must be smaller than the ${n} files of the directory.`, text);
      const rng = new SamplePrng(seed);
      const out: number[] = [];
      const groups = roundHalfEven(BigInt(n), BigInt(spec.size));
      for (let k = 0; k < groups; k++) {
        // ml-git: random.sample(range(g - size, g - 1), amount): the last index of each group is never a candidate.
        const lo = k * spec.size;
        const hi = Math.min(lo + spec.size - 1, n);
        // round() may count one group past the end (ml-git's IndexError): clip it, take what it has.
        if (hi <= lo) break;
        out.push(...rng.pickDistinct(lo, hi, Math.min(spec.amount, hi - lo)));
      }
      return out.sort((a, b) => a - b);
    }
    case 'random': {
      if (spec.frequency >= n) refuse('frequency-smaller-list-size', `The frequency of the sample "${text}" must be smaller than the ${n} files of the directory.`, text);
      const count = roundHalfEven(BigInt(spec.amount) * BigInt(n), BigInt(spec.frequency));
      return new SamplePrng(seed).pickDistinct(0, n, count).sort((a, b) => a - b);
    }
    case 'stable':
      throw new TroveError('INTERNAL', 'A stable sample picks by content, not by index: call selectSample.');
  }
}

function emptyList(spec: SampleSpec): never {
  const text = formatSampleSpec(spec);
  return refuse('empty-file-list', `The directory has no files to sample with "${text}".`, text);
}

/** Python 3's round(p / q) for non-negative integers: halves go to the even neighbour. */
export function roundHalfEven(p: bigint, q: bigint): number {
  const floor = p / q;
  const twice = 2n * (p % q);
  const up = twice > q || (twice === q && floor % 2n === 1n);
  return Number(up ? floor + 1n : floor);
}

/** Entries sorted by the UTF-8 bytes of their paths (not UTF-16 code units), first of each path kept. */
function sortByPathBytes(entries: readonly SampleEntry[]): SampleEntry[] {
  const keyed = entries.map((e) => ({ e, k: Buffer.from(e.path, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.k, b.k));
  const out: SampleEntry[] = [];
  for (let i = 0; i < keyed.length; i++) if (i === 0 || keyed[i]!.e.path !== keyed[i - 1]!.e.path) out.push(keyed[i]!.e);
  return out;
}

/**
 * stable:AMOUNT:FREQ keeps a file iff uint64be(sha256(seed ‖ 0x00 ‖ oidHex)[0..8]) mod FREQ < AMOUNT.
 * It depends on the content only, so the same bytes are in or out wherever they live.
 */
export function stablePick(oid: string, amount: number, frequency: number, seed: string): boolean {
  const hex = oid.slice(oid.indexOf(':') + 1).toLowerCase();
  const h = createHash('sha256').update(seed, 'utf8').update(Buffer.of(0)).update(hex, 'utf8').digest();
  return h.readBigUInt64BE(0) % BigInt(frequency) < BigInt(amount);
}

/**
 * The deterministic random source: block i = sha256(seed ‖ 0x00 ‖ uint64be(i)),
 * read as eight big-endian uint32 words. Bounded draws reject the top of the
 * range that would bias a modulo. Pinned by golden vectors in
 * test/unit/registry/sample.test.ts: changing it changes every sample.
 */
export class SamplePrng {
  private readonly seed: Buffer;
  private counter = 0n;
  private block = Buffer.alloc(0);
  private offset = 0;

  constructor(seed: string) {
    this.seed = Buffer.from(seed, 'utf8');
  }

  /** The next uint32. */
  nextUint32(): number {
    if (this.offset >= this.block.length) {
      const ctr = Buffer.alloc(8);
      ctr.writeBigUInt64BE(this.counter++);
      this.block = createHash('sha256').update(this.seed).update(Buffer.of(0)).update(ctr).digest();
      this.offset = 0;
    }
    const v = this.block.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** Uniform in [0, bound), 1 ≤ bound ≤ 2^32, without modulo bias. */
  below(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) throw new TroveError('INTERNAL', `A sample draw needs a bound in 1..2^32, not ${bound}.`);
    const limit = Math.floor(2 ** 32 / bound) * bound;
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % bound;
    }
  }

  /**
   * `count` distinct integers of [lo, hi), in draw order: a partial
   * Fisher–Yates shuffle over a sparse swap map (no array of hi - lo).
   */
  pickDistinct(lo: number, hi: number, count: number): number[] {
    const m = hi - lo;
    if (count > m) throw new TroveError('INTERNAL', `Cannot pick ${count} distinct values from ${m}.`);
    const swapped = new Map<number, number>();
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const j = i + this.below(m - i);
      const vj = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      out.push(lo + vj);
    }
    return out;
  }
}
