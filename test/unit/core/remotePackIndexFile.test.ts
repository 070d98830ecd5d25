import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serializePackIndex } from '../../../src/core/packIndex.js';
import { decodeRecord, encodeRemotePackIndex, findRecord, parseRemotePackIndexHeader, RIDX_FANOUT, RIDX_HEADER, RIDX_RECORD } from '../../../src/core/remotePackIndexFile.js';
import { isTroveError, type TroveError } from '../../../src/errors/index.js';

const FIXTURE = fileURLToPath(new URL('../../../../test/unit/core/fixtures/remotePackIndexFile-v1.hex', import.meta.url));
const hex = (c: string): string => c.repeat(64);

/** Three entries, one a chunk list, out of oid order in the pack. */
function golden(): { bytes: Buffer; name: string } {
  const { text, entries, size } = serializePackIndex([
    { kind: 'o', hex: hex('c'), length: 10, digest: hex('c') },
    { kind: 'f', hex: hex('a'), length: 7, digest: hex('d') },
    { kind: 'o', hex: hex('1'), length: 3, digest: hex('1') },
  ]);
  const name = createHash('sha256').update(text).digest('hex');
  return { bytes: encodeRemotePackIndex(name, entries, size), name };
}

test('remotePackIndexFile golden v1: the encoder writes the fixture byte for byte, and it reads back', () => {
  const { bytes, name } = golden();
  const fixture = Buffer.from(readFileSync(FIXTURE, 'utf8').replace(/\s+/g, ''), 'hex');
  assert.equal(bytes.toString('hex'), fixture.toString('hex'));
  const h = parseRemotePackIndexHeader(fixture.subarray(0, RIDX_HEADER + RIDX_FANOUT), fixture.length, 'golden');
  assert.deepEqual({ name: h.name, count: h.count, lists: h.lists, packSize: h.packSize }, { name, count: 3, lists: 1, packSize: 20 });
  const records = fixture.subarray(RIDX_HEADER + RIDX_FANOUT, RIDX_HEADER + RIDX_FANOUT + 3 * RIDX_RECORD);
  assert.deepEqual([0, 1, 2].map((i) => decodeRecord(records, i * RIDX_RECORD)).map((r) => [r.kind, r.hex[0], r.offset, r.length]), [['o', '1', 17, 3], ['f', 'a', 10, 7], ['o', 'c', 0, 10]]);
  assert.equal(findRecord(records, Buffer.from(hex('a'), 'hex'), 'f'), RIDX_RECORD);
  assert.equal(findRecord(records, Buffer.from(hex('a'), 'hex'), 'o'), -1, 'the kind is part of the key');
  assert.equal(findRecord(records, Buffer.from(hex('b'), 'hex'), 'o'), -1);
  assert.equal(fixture.toString('hex', fixture.length - 32 - 32, fixture.length - 32), hex('d'), 'the chunk list digest sits in its slot');
});

test('remotePackIndexFile: bad magic, a newer version, a size that disagrees and a fan-out that does not add up are refused', () => {
  const { bytes } = golden();
  const head = (b: Buffer): Buffer => b.subarray(0, RIDX_HEADER + RIDX_FANOUT);
  const refuses = (b: Buffer, code: 'BAD_MANIFEST' | 'NEWER_FORMAT', size = b.length): void => assert.throws(() => parseRemotePackIndexHeader(head(b), size, 'x'), (e: TroveError) => isTroveError(e, code));
  const magic = Buffer.from(bytes);
  magic[0] = 0x58;
  refuses(magic, 'BAD_MANIFEST');
  const newer = Buffer.from(bytes);
  newer.writeUInt32BE(2, 8);
  refuses(newer, 'NEWER_FORMAT');
  refuses(bytes, 'BAD_MANIFEST', bytes.length - 1);
  const fan = Buffer.from(bytes);
  fan.writeUInt32BE(2, RIDX_HEADER + 255 * 4);
  refuses(fan, 'BAD_MANIFEST');
  for (let cut = 0; cut < RIDX_HEADER + RIDX_FANOUT; cut += 97) assert.throws(() => parseRemotePackIndexHeader(bytes.subarray(0, cut), bytes.length, 'x'), (e: TroveError) => isTroveError(e, 'BAD_MANIFEST'));
});
