import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasStream, jsonPieces } from '../../../src/cli/jsonPieces.js';

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

async function pieces(value: unknown): Promise<string[]> {
  const out: string[] = [];
  for await (const p of jsonPieces(value)) out.push(p);
  return out;
}

test('a streamed field is written item by item, and the pieces join to JSON.stringify of the result with the stream as an array', async () => {
  const files = [{ path: 'data/a', size: 1 }, { path: 'data/b "quoted"', size: 2, target: undefined }];
  const envelope = (f: unknown) => ({ version: 1, command: 'ls', ok: true, result: { rev: null, artifacts: [{ path: 'data' }], files: f, skipped: undefined, after: 'x' } });
  const got = await pieces(envelope(stream(files)));
  assert.equal(got.join(''), JSON.stringify(envelope(files)));
  assert.ok(got.length >= files.length + 2, 'one piece per item at least: never the whole array in one string');
  assert.equal((await pieces(envelope(stream([])))).join(''), JSON.stringify(envelope([])));
  assert.equal((await pieces(stream([1, undefined, 'x']))).join(''), JSON.stringify([1, undefined, 'x']), 'an undefined item is null, as in an array');
});

test('a result without a stream is one JSON.stringify, and hasStream looks only through plain objects', async () => {
  const plain = { a: [1, 2], b: { c: null, d: undefined } };
  assert.deepEqual(await pieces(plain), [JSON.stringify(plain)]);
  assert.equal(hasStream(plain), false);
  assert.equal(hasStream({ result: { files: stream([]) } }), true);
  assert.equal(hasStream({ list: [stream([])] }), false, 'arrays are not searched');
});
