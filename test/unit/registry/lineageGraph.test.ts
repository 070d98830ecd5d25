import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineage, toDot, renderLineageTree } from '../../../src/core/lineageGraph.js';
import { TroveError } from '../../../src/errors/index.js';
import { makeSnapshot, mnistSnapshot } from '../../helpers/registrySnapshot.js';

const tags = (nodes: readonly { tag: string }[]) => nodes.map((n) => n.tag);

test('lineage upstream of modelmnist v1 is its dataset and labels, recursively; downstream of mnist v1 is labels v1 and model v1', () => {
  const snap = mnistSnapshot();
  const up = lineage(snap, 'modelmnist@v1.0.0', { direction: 'up' });
  assert.equal(up.root.tag, 'modelmnist@v1.0.0');
  assert.equal(up.root.type, 'model');
  assert.deepEqual(tags(up.upstream), ['labelsmnist@v1.0.0', 'mnist@v1.0.0']);
  assert.deepEqual(up.upstream.map((n) => n.depth), [1, 1]);
  assert.deepEqual(up.downstream, []);
  assert.deepEqual(up.edges, [
    ['labelsmnist@v1.0.0', 'modelmnist@v1.0.0'],
    ['mnist@v1.0.0', 'labelsmnist@v1.0.0'],
    ['mnist@v1.0.0', 'modelmnist@v1.0.0'],
  ]);
  const down = lineage(snap, 'mnist@v1.0.0', { direction: 'down' });
  assert.deepEqual(tags(down.downstream), ['labelsmnist@v1.0.0', 'modelmnist@v1.0.0']);
  assert.deepEqual(tags(down.upstream), []);
  const both = lineage(snap, 'labelsmnist@v2.0.0', { direction: 'both' });
  assert.deepEqual(tags(both.upstream), ['mnist@v2.0.0']);
  assert.deepEqual(tags(both.downstream), ['modelmnist@v2.0.0']);
  assert.equal(both.truncated, false);
  const missing = (() => {
    try {
      lineage(snap, 'mnist@v9.0.0', { direction: 'up' });
    } catch (err) {
      return err as TroveError;
    }
    return undefined;
  })();
  assert.equal(missing?.code, 'NOT_FOUND');
});

test('lineage is cycle-safe, honours the depth limit and marks versions that are not registered', () => {
  const chain = makeSnapshot([
    { name: 'a', versions: [{ version: 'v1.0.0', uses: ['b@v1.0.0'] }] },
    { name: 'b', versions: [{ version: 'v1.0.0', uses: ['c@v1.0.0'] }] },
    { name: 'c', versions: [{ version: 'v1.0.0', uses: ['a@v1.0.0', 'ghost@v3.0.0'] }] }, // a cycle, and a tag that is gone
  ]);
  const all = lineage(chain, 'a@v1.0.0', { direction: 'both' });
  assert.deepEqual(all.upstream.map((n) => [n.tag, n.depth, n.missing]), [
    ['b@v1.0.0', 1, false],
    ['c@v1.0.0', 2, false],
    ['ghost@v3.0.0', 3, true],
  ]);
  assert.deepEqual(tags(all.downstream), ['c@v1.0.0', 'b@v1.0.0']);
  assert.equal(all.upstream[2]!.entity, 'ghost');
  assert.equal(all.upstream[2]!.version, 'v3.0.0');
  assert.equal(all.upstream[2]!.type, null);
  const one = lineage(chain, 'a@v1.0.0', { direction: 'up', depth: 1 });
  assert.deepEqual(tags(one.upstream), ['b@v1.0.0']);
  assert.deepEqual(one.edges, [['b@v1.0.0', 'a@v1.0.0']]);
  assert.equal(one.truncated, true);
  const zero = lineage(chain, 'a@v1.0.0', { direction: 'up', depth: 0 });
  assert.deepEqual(zero.upstream, []);
  assert.equal(zero.truncated, true);
});

test('toDot is valid DOT with quoted ids; the text tree shows each version once', () => {
  const snap = mnistSnapshot();
  const r = lineage(snap, 'modelmnist@v1.0.0', { direction: 'both' });
  const dot = toDot(r);
  assert.equal(
    dot,
    'digraph lineage {\n' +
      '  rankdir=LR;\n' +
      '  node [shape=box, fontname="Helvetica"];\n' +
      '  "modelmnist@v1.0.0" [label="modelmnist@v1.0.0\\nmodel", style=bold];\n' +
      '  "labelsmnist@v1.0.0" [label="labelsmnist@v1.0.0\\nlabels"];\n' +
      '  "mnist@v1.0.0" [label="mnist@v1.0.0\\ndataset"];\n' +
      '  "labelsmnist@v1.0.0" -> "modelmnist@v1.0.0";\n' +
      '  "mnist@v1.0.0" -> "labelsmnist@v1.0.0";\n' +
      '  "mnist@v1.0.0" -> "modelmnist@v1.0.0";\n' +
      '}\n',
  );
  // structural check of every statement (no graphviz needed): quoted ids only, balanced braces
  const body = dot.trim().split('\n').slice(1, -1);
  for (const line of body) {
    assert.match(line, /^ {2}(rankdir=LR;|node \[.*\];|"(?:[^"\\]|\\.)*" \[.*\];|"(?:[^"\\]|\\.)*" -> "(?:[^"\\]|\\.)*";)$/, line);
  }
  assert.equal(
    renderLineageTree(r),
    'modelmnist@v1.0.0 (model)\n' +
      'made from:\n' +
      '├── labelsmnist@v1.0.0 (labels)\n' +
      '│   └── mnist@v1.0.0 (dataset)\n' +
      '└── mnist@v1.0.0 (dataset) *\n' +
      'used by:\n' +
      '  (nothing)\n',
  );
  const down = renderLineageTree(lineage(snap, 'mnist@v1.0.0', { direction: 'down' }));
  assert.equal(down, 'mnist@v1.0.0 (dataset)\nused by:\n├── labelsmnist@v1.0.0 (labels)\n│   └── modelmnist@v1.0.0 (model)\n└── modelmnist@v1.0.0 (model) *\n');
});
