import { randomBytes } from 'node:crypto';
import { TroveError } from '../errors/index.js';
import { createOid } from '../core/oid.js';
import { bufferBody, type Backend } from '../remote/Backend.js';
import { CLAIMS_PREFIX } from '../remote/remoteLayout.js';
import type { TransferRoot } from './closure.js';
import { withRetries, type RetryPolicy } from './withRetries.js';

/**
 * A claim is what a finished push relied on: the pointer versions it pushed
 * for, whether it sent their content or found it on the remote already. The
 * commit that names them reaches other clones through Git, later and
 * perhaps never through the clone that runs gc -r; the claim reaches gc -r
 * through the remote itself, so for the grace period gc -r keeps what
 * another clone's push relied on even when it has not fetched that commit.
 *
 *   trove-claim 1
 *   file <hex>        a file pointer's object or chunked file
 *   dir <hex>         a directory version's root manifest page
 */
export async function writeClaim(backend: Backend, roots: readonly { kind: 'file' | 'dir'; oid: { hex: string } }[], policy: RetryPolicy): Promise<string> {
  const lines = [...new Set(roots.map((r) => `${r.kind} ${r.oid.hex}`))].sort();
  const key = `${CLAIMS_PREFIX}${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
  await withRetries(() => backend.put(key, bufferBody(Buffer.from(`trove-claim 1\n${lines.map((l) => l + '\n').join('')}`))), policy);
  return key;
}

export interface Claims {
  /** the pointer versions claimed within the window */
  readonly roots: TransferRoot[];
  /** claims older than the window (gc -r removes them) */
  readonly expired: string[];
  readonly requests: number;
}

/**
 * The roots of every claim made less than `windowMs` before `now`. A claim
 * that cannot be read or parsed stops gc -r: what it does not know, it does
 * not delete. A claim without a time (a backend that lists none) counts as new.
 */
export async function readClaims(backend: Backend, options: { now: number; windowMs: number; policy: RetryPolicy }): Promise<Claims> {
  const listing = await withRetries(() => backend.list(CLAIMS_PREFIX), options.policy);
  let requests = 1;
  const roots: TransferRoot[] = [];
  const expired: string[] = [];
  for (const e of listing.sort((a, b) => (a.key < b.key ? -1 : 1))) {
    if (e.mtime !== undefined && options.now - e.mtime >= options.windowMs) {
      expired.push(e.key);
      continue;
    }
    let text: string;
    try {
      requests++;
      text = (await withRetries(() => backend.get(e.key), options.policy)).toString('utf8');
    } catch (err) {
      if (err instanceof TroveError && err.code === 'NOT_FOUND') continue; // removed by another gc -r
      throw err;
    }
    const lines = text.split('\n');
    if (lines[0] !== 'trove-claim 1' || lines[lines.length - 1] !== '') {
      throw new TroveError('BAD_MANIFEST', `gc -r stopped without deleting anything: the push claim ${e.key} on ${backend.display} is not one this trove can read.`, {
        hint: /^trove-claim [0-9]+$/.test(lines[0] ?? '') ? 'Upgrade trove (npm install -g trove@latest).' : `Remove ${e.key} from the remote if nothing writes there but trove, then run gc -r again.`,
      });
    }
    const when = e.mtime !== undefined ? new Date(e.mtime).toISOString() : 'recently';
    for (const line of lines.slice(1, -1)) {
      const m = /^(file|dir) ([0-9a-f]{64})$/.exec(line);
      if (!m) throw new TroveError('BAD_MANIFEST', `gc -r stopped without deleting anything: the push claim ${e.key} on ${backend.display} has a bad line.`, { hint: `Remove ${e.key} from the remote, then run gc -r again.` });
      roots.push({ kind: m[1] as 'file' | 'dir', oid: createOid('sha256', m[2]!), what: `a version pushed ${when} (${m[1]} ${m[2]!.slice(0, 12)}…)` });
    }
  }
  return { roots, expired, requests };
}
