import type { Command } from 'commander';
import { TroveError } from '../../errors/index.js';
import type { SampleSpec } from '../../core/registryTypes.js';
import { DEFAULT_SEED, parseSampleSpec, sampleSpecFrom } from '../../core/sample.js';
import type { SampleCheckoutResult, SampleFetchResult } from '../../api/sampledCheckout.js';
import type { Output } from '../Output.js';

/**
 * The sampling options of `trove checkout NAME@V` and `trove fetch NAME@V`
 * (docs/sampling.md): trove's `--sample KIND:ARGS` and ml-git's
 * `--sample-type T --sampling ARGS`, with `--seed`.
 */
export function sampleOptions(cmd: Command): Command {
  return cmd
    .option('--sample <kind:args>', 'only a sample of a dataset version: range:START:STOP[:STEP], group:AMOUNT:SIZE, random:AMOUNT:FREQ or stable:AMOUNT:FREQ')
    .option('--seed <seed>', `seed of a group, random or stable sample (default ${DEFAULT_SEED})`)
    .option('--sample-type <type>', "ml-git's form: range, group, random (or stable), with --sampling")
    .option('--sampling <args>', "ml-git's form: the arguments of --sample-type, e.g. 2:10");
}

/** The sample asked for, or null when none was. Contradictory or incomplete options are USAGE. */
export function sampleFromOptions(opts: Record<string, unknown>): { spec: SampleSpec; seed: string } | null {
  const sample = opts.sample === undefined ? undefined : String(opts.sample);
  const type = opts.sampleType === undefined ? undefined : String(opts.sampleType);
  const args = opts.sampling === undefined ? undefined : String(opts.sampling);
  const seed = opts.seed === undefined ? DEFAULT_SEED : String(opts.seed);
  const refuse = (rule: string, message: string, hint: string): never => {
    throw new TroveError('USAGE', message, { hint, data: { rule } });
  };
  if (sample !== undefined && (type !== undefined || args !== undefined)) {
    refuse('sample-twice', '--sample and --sample-type/--sampling say the same thing: give one of them.', 'Example: --sample group:2:10 (or --sample-type group --sampling 2:10).');
  }
  if ((type === undefined) !== (args === undefined)) {
    refuse('sample-type-and-sampling', '--sample-type and --sampling go together.', 'Example: --sample-type random --sampling 1:10 --seed 42');
  }
  if (sample === undefined && type === undefined) {
    if (opts.seed !== undefined) refuse('seed-without-sample', '--seed only applies to a sample.', 'Add the sample: --sample random:1:10 --seed 42');
    return null;
  }
  const spec = sample !== undefined ? parseSampleSpec(sample) : sampleSpecFrom(type!, args!);
  return { spec, seed };
}

/** The text lines of a sampled checkout or fetch. */
export function renderSample(out: Output, r: SampleFetchResult | SampleCheckoutResult): void {
  if (r.fetchedObjects) out.info(`Fetched ${r.fetchedObjects} object(s) from ${r.remote ?? 'the remote'}.`);
  const placed = 'written' in r ? ` (${r.written} written, ${r.deleted} removed)` : ' (fetched, not placed)';
  out.line(`sampled   ${out.path(r.path)}: ${r.selected} of ${r.total} files, ${r.sample} seed ${r.seed}${placed}`);
  if ('entity' in r && r.entity) out.info(`${r.entity} is a sampled checkout: it cannot become a version until trove checkout ${r.entity}@VERSION --full.`);
}
