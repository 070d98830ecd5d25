import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compareIndexKeys, encodeLocalPackIndex, parseLocalPackIndex, parseTidxHead, searchOids, TIDX_HEAD_BYTES, type LocalPackEntry } from '../../../src/core/localPackIndex.js';
import { serializePackIndex } from '../../../src/core/packIndex.js';
import { isTroveError } from '../../../src/errors/index.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The golden pack: two objects and one chunk list, in pack order. */
const PARTS: { kind: 'o' | 'f'; bytes: string; hex: string }[] = [
  { kind: 'o', bytes: 'hello\n', hex: sha('hello\n') },
  { kind: 'f', bytes: 'trove-chunks 1\n', hex: sha('the large file') },
  { kind: 'o', bytes: 'world!\n', hex: sha('world!\n') },
];

function golden(): { index: Buffer; entries: LocalPackEntry[] } {
  const pack = PARTS.map((p) => p.bytes).join('');
  const { entries } = serializePackIndex(PARTS.map((p) => ({ kind: p.kind, hex: p.hex, length: Buffer.byteLength(p.bytes), digest: sha(p.bytes) })));
  return { index: encodeLocalPackIndex({ packSize: pack.length, packSha256: sha(pack), entries }), entries };
}

const FIXTURE = new URL('../../../../test/unit/core/fixtures/localPackIndex-v1.hex', import.meta.url);

test('local pack index v1: the encoding equals the golden fixture byte for byte, and parses back', () => {
  const { index, entries } = golden();
  const fixture = Buffer.from(readFileSync(FIXTURE, 'utf8').replace(/\s+/g, ''), 'hex');
  assert.equal(index.toString('hex'), fixture.toString('hex'));
  const parsed = parseLocalPackIndex(fixture, 'golden');
  assert.deepEqual(parsed.entries, [...entries].sort(compareIndexKeys));
  assert.equal(parsed.packSize, 28);
  assert.equal(parsed.entries.find((e) => e.kind === 'f')!.digest, sha('trove-chunks 1\n'));
  const head = parseTidxHead(fixture.subarray(0, TIDX_HEAD_BYTES), fixture.length, 'golden');
  assert.equal(head.count, 3);
});

test('a local pack index with bad magic, a bad trailer, unsorted oids or entries that do not tile is refused as BAD_MANIFEST naming it', () => {
  const { index } = golden();
  const cases: [string, Buffer][] = [];
  const magic = Buffer.from(index);
  magic.write('TROVEIDY', 0, 'latin1');
  cases.push(['bad magic', magic]);
  const trailer = Buffer.from(index);
  trailer[trailer.length - 1]! ^= 1;
  cases.push(['bad trailer', trailer]);
  // Swap the first two oids and re-seal the trailer: unsorted but well checksummed.
  const unsorted = Buffer.from(index);
  const a = Buffer.from(unsorted.subarray(TIDX_HEAD_BYTES, TIDX_HEAD_BYTES + 32));
  unsorted.copy(unsorted, TIDX_HEAD_BYTES, TIDX_HEAD_BYTES + 32, TIDX_HEAD_BYTES + 64);
  a.copy(unsorted, TIDX_HEAD_BYTES + 32);
  reseal(unsorted);
  cases.push(['unsorted', unsorted]);
  // Entries that leave a gap: one length shortened.
  const gap = encodeLocalPackIndex({ packSize: 28, packSha256: sha('x'), entries: [{ kind: 'o', hex: 'a'.repeat(64), offset: 0, length: 10, digest: 'a'.repeat(64) }, { kind: 'o', hex: 'b'.repeat(64), offset: 11, length: 17, digest: 'b'.repeat(64) }] });
  cases.push(['gap', gap]);
  const short = encodeLocalPackIndex({ packSize: 30, packSha256: sha('x'), entries: [{ kind: 'o', hex: 'a'.repeat(64), offset: 0, length: 28, digest: 'a'.repeat(64) }] });
  cases.push(['does not reach the pack size', short]);
  for (const [name, buf] of cases) assert.throws(() => parseLocalPackIndex(buf, 'packs/x.tidx'), (e) => isTroveError(e, 'BAD_MANIFEST') && /packs\/x\.tidx/.test((e as Error).message), name);
});

test('a local pack index of a newer version is refused as NEWER_FORMAT, not taken for corrupt', () => {
  const { index } = golden();
  const newer = Buffer.from(index);
  newer.writeUInt32BE(2, 8);
  reseal(newer);
  assert.throws(() => parseLocalPackIndex(newer, 'p'), (e) => isTroveError(e, 'NEWER_FORMAT'));
  assert.throws(() => parseTidxHead(newer.subarray(0, TIDX_HEAD_BYTES), newer.length, 'p'), (e) => isTroveError(e, 'NEWER_FORMAT'));
});

test('a local pack index truncated at any byte is refused', () => {
  const { index } = golden();
  for (let n = 0; n < index.length; n++) assert.throws(() => parseLocalPackIndex(index.subarray(0, n), 'p'), (e) => isTroveError(e, 'BAD_MANIFEST'), `truncated to ${n}`);
});

test('searchOids finds each oid of a sorted bucket and misses others', () => {
  const hexes = ['00', '11', '7f', 'ff'].map((b) => b.repeat(32));
  const bucket = Buffer.concat(hexes.map((h) => Buffer.from(h, 'hex')));
  hexes.forEach((h, i) => assert.equal(searchOids(bucket, Buffer.from(h, 'hex')), i));
  assert.equal(searchOids(bucket, Buffer.from('12'.repeat(32), 'hex')), -1);
});

function reseal(buf: Buffer): void {
  createHash('sha256').update(buf.subarray(0, buf.length - 32)).digest().copy(buf, buf.length - 32);
}
