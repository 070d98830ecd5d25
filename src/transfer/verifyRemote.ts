import { TroveError } from '../errors/index.js';
import type { Reporter } from '../core/Reporter.js';
import { bufferBody, type Backend } from '../remote/Backend.js';
import { serializePackIndex } from '../core/packIndex.js';
import { CONTENT_NAMED, indexKey, packKey } from '../remote/remoteLayout.js';
import { mapLimit } from '../util/mapLimit.js';
import type { RemoteIndex } from './RemoteIndex.js';
import { sha256 } from './RemoteIndex.js';
import { withRetries, type RetryPolicy } from './withRetries.js';

export interface RemoteFsckResult {
  readonly packs: number;
  readonly objects: number;
  readonly bytes: number;
  readonly thorough: boolean;
  /** indexed packs whose data is absent or of the wrong size */
  readonly missingPacks: string[];
  /** packs with an entry whose bytes do not hash to its digest (thorough only) */
  readonly corruptPacks: { pack: string; reason: string }[];
  /** indexes that do not verify */
  readonly badIndexes: string[];
  /** packs with no index: an interrupted push (reused by the next push, or removed by gc -r) */
  readonly orphanPacks: string[];
  /** indexes deleted so that the next push sends their objects again */
  readonly removed: string[];
}

const SPAN = 16 * 1024 * 1024;

/**
 * Check a remote: every indexed pack is present at the size its index says
 * (fast), or every entry re-hashes to its digest (thorough). A pack found bad
 * has its index deleted, so its objects count as absent and the next push
 * from a clone that has them sends them again; the data itself is left for
 * gc -r. Only definite evidence deletes: a read that fails is an error, not a
 * verdict.
 */
export async function verifyRemote(backend: Backend, index: RemoteIndex, options: { thorough: boolean; repair: boolean; jobs: number; policy: RetryPolicy; reporter: Reporter }): Promise<RemoteFsckResult> {
  const missingPacks: string[] = [];
  const corruptPacks: { pack: string; reason: string }[] = [];
  const packs = [...index.packs.entries()];
  let objects = 0;
  let bytes = 0;
  for (const [, p] of packs) {
    objects += p.count;
    bytes += p.size;
  }
  options.reporter.start('Verifying remote', options.thorough ? bytes : packs.length, options.thorough ? 'bytes' : 'files');
  await mapLimit(packs, options.jobs, async ([name, p]) => {
    const size = backend.canList ? index.listedPacks.get(name) : await withRetries(() => backend.stat(packKey(name)), options.policy);
    if (size !== p.size) {
      missingPacks.push(name);
      return;
    }
    if (!options.thorough) return options.reporter.advance(1);
    const entries = p.entries();
    for (let start = 0; start < p.size; start += SPAN) {
      const end = Math.min(p.size, start + SPAN);
      // Whole entries only: extend the span to the end of the entry that crosses it.
      const inSpan = entries.filter((e) => e.offset >= start && e.offset < end);
      if (inSpan.length === 0) continue;
      const last = inSpan[inSpan.length - 1]!;
      const stop = Math.max(end, last.offset + last.length);
      const data = await withRetries(() => backend.get(packKey(name), { start, end: stop }), options.policy);
      for (const e of inSpan) {
        const b = data.subarray(e.offset - start, e.offset - start + e.length);
        if (b.length !== e.length || sha256(b) !== e.digest) {
          corruptPacks.push({ pack: name, reason: `${e.kind === 'f' ? 'chunk list' : 'object'} ${e.hex.slice(0, 12)}… at offset ${e.offset} does not match its digest` });
          return;
        }
      }
      options.reporter.advance(stop - start);
      start = stop - SPAN;
    }
  });
  options.reporter.end();
  const removed: string[] = [];
  if (options.repair) {
    const drop = async (key: string): Promise<void> =>
      withRetries(() => backend.delete(key), options.policy).catch((err: unknown) => {
        throw new TroveError('REMOTE', `Could not remove ${key} from ${backend.display}: ${(err as Error).message}`, { cause: err });
      });
    for (const name of [...missingPacks, ...index.badIndexes.map((b) => b.name)]) {
      await drop(indexKey(name));
      removed.push(name);
    }
    // A corrupt pack may hold the only copy of its other objects: they move to a new pack before the old one goes.
    for (const { pack } of corruptPacks) {
      const p = index.packs.get(pack)!;
      const data = await withRetries(() => backend.get(packKey(pack)), options.policy);
      const good = p.entries().filter((e) => sha256(data.subarray(e.offset, e.offset + e.length)) === e.digest);
      if (good.length > 0) {
        const { text } = serializePackIndex(good.map((e) => ({ kind: e.kind, hex: e.hex, length: e.length, digest: e.digest })));
        const name = sha256(Buffer.from(text));
        await withRetries(() => backend.put(packKey(name), bufferBody(Buffer.concat(good.map((e) => data.subarray(e.offset, e.offset + e.length)))), CONTENT_NAMED), options.policy);
        await withRetries(() => backend.put(indexKey(name), bufferBody(Buffer.from(text))), options.policy);
      }
      await drop(indexKey(pack));
      await drop(packKey(pack));
      removed.push(pack);
    }
  }
  const indexed = new Set(index.packs.keys());
  const orphanPacks = [...index.listedPacks.keys()].filter((n) => !indexed.has(n) && !index.badIndexes.some((b) => b.name === n));
  return { packs: packs.length, objects, bytes, thorough: options.thorough, missingPacks, corruptPacks, badIndexes: index.badIndexes.map((b) => b.name), orphanPacks, removed };
}
