import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { TroveError } from '../../../src/errors/index.js';
import { sampleFromOptions, sampleOptions } from '../../../src/cli/commands/sampleOptions.js';

function parse(argv: string[]): Record<string, unknown> {
  const cmd = sampleOptions(new Command('checkout')).exitOverride();
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

test('sample options: --sample, ml-git --sample-type/--sampling, --seed default 0, none at all', () => {
  assert.deepEqual(sampleFromOptions(parse(['--sample', 'group:2:10', '--seed', '42'])), { spec: { kind: 'group', amount: 2, size: 10 }, seed: '42' });
  assert.deepEqual(sampleFromOptions(parse(['--sample-type', 'random', '--sampling', '1:10'])), { spec: { kind: 'random', amount: 1, frequency: 10 }, seed: '0' });
  assert.deepEqual(sampleFromOptions(parse(['--sample', 'range:0:-1:2'])), { spec: { kind: 'range', start: 0, stop: 'all', step: 2 }, seed: '0' });
  assert.equal(sampleFromOptions(parse([])), null);
});

test('sample options: contradictory or incomplete flags are USAGE with the rule', () => {
  const rule = (argv: string[], r: string): void =>
    assert.throws(() => sampleFromOptions(parse(argv)), (err: unknown) => err instanceof TroveError && err.code === 'USAGE' && err.data?.rule === r, argv.join(' '));
  rule(['--sample', 'random:1:10', '--sample-type', 'group', '--sampling', '2:10'], 'sample-twice');
  rule(['--sample-type', 'group'], 'sample-type-and-sampling');
  rule(['--sampling', '2:10'], 'sample-type-and-sampling');
  rule(['--seed', '3'], 'seed-without-sample');
  rule(['--sample', 'random:0:10'], 'amount-greater-zero');
  rule(['--sample-type', 'every', '--sampling', '1:2'], 'kind');
});
