import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parsePackIndex, serializePackIndex } from '../../../src/core/packIndex.js';
import { isTroveError } from '../../../src/errors/index.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const D = 'd'.repeat(64);

/** Frozen: remote layout 1. Changing this text means a new format version. */
const GOLDEN = `trove-pack 1 sha256\no ${A} 0 10\nf ${B} 10 5 ${D}\n`;

test('pack index v1 golden text and its self-naming hash', () => {
  const { text, entries, size } = serializePackIndex([
    { kind: 'o', hex: A, length: 10, digest: A },
    { kind: 'f', hex: B, length: 5, digest: D },
  ]);
  assert.equal(text, GOLDEN);
  assert.equal(size, 15);
  assert.deepEqual(entries.map((e) => e.offset), [0, 10]);
  assert.equal(createHash('sha256').update(text).digest('hex'), '34ea9ab76545759f7550336b08464eaff41d6c0260704ea0aff5e95652f1bb61');
  const parsed = parsePackIndex(GOLDEN, 'golden');
  assert.deepEqual(parsed.entries, entries);
  assert.equal(parsed.size, 15);
});

test('a hostile or damaged pack index is refused with the source named', () => {
  const cases = [
    `trove-pack 1 sha256\no ${A} 0 10`, // truncated: no final newline
    `trove-pack 1 sha256\no ${A} 5 10\n`, // does not start at 0
    `trove-pack 1 sha256\no ${A} 0 10\no ${B} 11 1\n`, // gap
    `trove-pack 1 sha256\no ../../etc 0 10\n`,
    `trove-pack 1 sha256\no ${A} 0 -1\n`,
    `trove-pack 1 sha256\nx ${A} 0 1\n`,
    `trove-pack 1 md5\n`,
  ];
  for (const c of cases) assert.throws(() => parsePackIndex(c, 'packs/x.idx on test'), (e) => isTroveError(e, 'BAD_MANIFEST') && /packs\/x\.idx/.test((e as Error).message), JSON.stringify(c));
  assert.throws(() => parsePackIndex('trove-pack 2 sha256\n', 'p'), (e) => isTroveError(e, 'NEWER_FORMAT'));
});
