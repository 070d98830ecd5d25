import { TroveError } from '../errors/index.js';
import { packKey } from '../remote/remoteLayout.js';
import type { Span } from './planSpans.js';

/** CORRUPT_OBJECT for a fetched entry whose bytes do not verify; retryable for the first two attempts (a flipped bit on the wire heals on a re-read, a corrupt remote copy does not). */
export function badRemoteCopy(display: string, span: Span, it: Span['items'][number], truncated: boolean, attempt: number): TroveError {
  return new TroveError('CORRUPT_OBJECT', `The remote copy of ${it.want.what} (${it.want.kind === 'f' ? 'chunk list' : 'object'} ${it.want.hex.slice(0, 12)}…) in ${packKey(span.pack)} on ${display} is ${truncated ? 'truncated' : 'corrupt'}; it was not stored.`, {
    hint: 'Push it again from a clone that has it (trove push), then fetch again; trove fsck -r REMOTE --thorough checks the whole remote.',
    retryable: attempt < 2,
    data: { path: it.want.what },
  });
}
