import { defineCommand } from '../defineCommand.js';
import { TroveError } from '../../errors/index.js';
import type { FetchResult } from '../../api/fetch.js';
import type { FetchVersionResult } from '../../api/fetchVersion.js';
import { renderSample, sampleFromOptions, sampleOptions } from './sampleOptions.js';
import { renderTransfer, selection, transferOptions } from './transferOptions.js';

export const fetchCommand = defineCommand<FetchResult | FetchVersionResult>({
  name: 'fetch',
  summary: 'download into the local store the data that tracked paths need (the work tree is not touched)',
  examples: [
    'trove fetch',
    'trove fetch data/train/cat.jpg      # one file of a tracked directory',
    'trove fetch --rev v1.0 -r storage',
    'trove fetch --all-branches',
    'trove fetch mnist@v2.0.0            # a registered version\'s data',
    'trove fetch mnist@v2.0.0 --sample random:1:10 --seed 42   # only a sample of a dataset version',
  ],
  configure: (cmd) => sampleOptions(transferOptions(cmd, true)),
  async run(ctx, args, opts) {
    const [{ fetch }, { openRepo }] = await Promise.all([import('../../api/fetch.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const paths = (args[0] as string[] | undefined) ?? [];
    const sample = sampleFromOptions(opts);
    const versionOnly = !opts.rev && !opts.allBranches && !opts.allTags && paths.length === 1;
    if (sample && !versionOnly) {
      throw new TroveError('USAGE', '--sample fetches a sample of one registered dataset version.', { hint: 'Example: trove fetch mnist@v2.0.0 --sample random:1:10', data: { rule: 'sample-needs-one-version' } });
    }
    if (sample || versionOnly) {
      const { fetchVersion, isVersionArg } = await import('../../api/fetchVersion.js');
      if (sample || (await isVersionArg(repo, paths[0]!))) {
        return fetchVersion(repo, { ref: paths[0]!, ...(sample ? { spec: sample.spec, seed: sample.seed } : {}), ...(opts.remote ? { remote: String(opts.remote) } : {}), ...(opts.jobs ? { jobs: opts.jobs as number } : {}) });
      }
    }
    return fetch(repo, selection(args, opts));
  },
  render(out, r) {
    if (!('kind' in r)) return renderTransfer(out, 'Fetched', r);
    if (r.kind === 'sample') renderSample(out, r.fetch);
    else renderTransfer(out, 'Fetched', r.fetch, `, ${r.entity} ${r.version}`);
  },
});
