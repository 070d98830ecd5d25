import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRunWatcher } from '../../../src/server/runWatcher.js';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('run watcher: no listener, no polls; changed, new and removed ids are announced; the last unsubscribe stops polling', async () => {
  let calls = 0;
  let versions: Record<string, string> = { a: '1', b: '1' };
  const w = createRunWatcher(async () => (calls++, { ...versions }), 20);
  await wait(80);
  assert.equal(calls, 0);
  const seen: string[][] = [];
  const off = w.subscribe((ids) => seen.push(ids));
  await wait(60);
  versions = { a: '2', c: '1' };
  await wait(80);
  assert.deepEqual(seen, [['a', 'b', 'c']]);
  off();
  off(); // idempotent
  await wait(40);
  const after = calls;
  await wait(100);
  assert.equal(calls, after, 'no polls without listeners');
  assert.equal(w.polling, false);
  // a new subscriber re-baselines: what changed while nobody listened is not replayed as a change
  versions = { a: '3' };
  const again: string[][] = [];
  const off2 = w.subscribe((ids) => again.push(ids));
  await wait(80);
  assert.deepEqual(again, []);
  w.close();
  const closedAt = calls;
  await wait(80);
  assert.equal(calls, closedAt, 'close() stops polling for good');
  off2();
});
