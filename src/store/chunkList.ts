import { TroveError } from '../errors/index.js';
import { formatOid, parseOid, type Oid } from '../core/oid.js';

/**
 * A large file as the ordered list of its content-defined chunks.
 *
 *     trove-chunks 1 fastcdc-v1
 *     262144 sha256:<hex>
 *     …
 */
export interface ChunkRef {
  readonly size: number;
  readonly oid: Oid;
}

export function serializeChunkList(chunks: readonly ChunkRef[]): string {
  return `trove-chunks 1 fastcdc-v1\n${chunks.map((c) => `${c.size} ${formatOid(c.oid)}\n`).join('')}`;
}

export function parseChunkList(text: string, source: string): ChunkRef[] {
  const lines = text.split('\n');
  const v = /^trove-chunks ([1-9][0-9]*) /.exec(lines[0] ?? '');
  if (v && Number(v[1]) > 1) {
    throw new TroveError('NEWER_FORMAT', `Chunk list ${source} has format version ${v[1]}, newer than this trove understands (1).`, { hint: 'Upgrade trove (npm install -g trove@latest).' });
  }
  if (lines[0] !== 'trove-chunks 1 fastcdc-v1' || lines[lines.length - 1] !== '') {
    throw new TroveError('CORRUPT_OBJECT', `Chunk list ${source} is invalid.`, { hint: 'Run trove fsck to remove it, then re-add or fetch the file.' });
  }
  return lines.slice(1, -1).map((line) => {
    const sp = line.indexOf(' ');
    const size = Number(line.slice(0, sp));
    if (sp < 0 || !Number.isSafeInteger(size) || size <= 0) {
      throw new TroveError('CORRUPT_OBJECT', `Chunk list ${source} has an invalid line.`, { hint: 'Run trove fsck to remove it.' });
    }
    try {
      return { size, oid: parseOid(line.slice(sp + 1), 'chunk id') };
    } catch {
      throw new TroveError('CORRUPT_OBJECT', `Chunk list ${source} has an invalid chunk id.`, { hint: 'Run trove fsck to remove it.' });
    }
  });
}

/** Files at or below this size are stored whole; larger ones as content-defined chunks named by a chunk list. */
export const CHUNK_THRESHOLD = 1024 * 1024;
