import { TroveError } from '../errors/index.js';

/** Hash algorithms an object id may use. sha256 is the default and the only one v1 writes. */
export type HashAlgorithm = 'sha256';
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['sha256'];
const HEX_LENGTH: Record<HashAlgorithm, number> = { sha256: 64 };

/** An object id: algorithm plus lowercase hex digest. Written as `sha256:<hex>` in pointers. */
export interface Oid {
  readonly algo: HashAlgorithm;
  readonly hex: string;
}

export function createOid(algo: HashAlgorithm, hex: string): Oid {
  return { algo, hex };
}

export function isValidHex(algo: HashAlgorithm, hex: string): boolean {
  return hex.length === HEX_LENGTH[algo] && /^[0-9a-f]+$/.test(hex);
}

export function formatOid(oid: Oid): string {
  return `${oid.algo}:${oid.hex}`;
}

/** Parse `sha256:<hex>`; throws BAD_POINTER with `what` in the message when malformed. */
export function parseOid(text: string, what = 'object id'): Oid {
  const colon = text.indexOf(':');
  const algo = text.slice(0, colon) as HashAlgorithm;
  const hex = text.slice(colon + 1);
  if (colon < 0 || !HASH_ALGORITHMS.includes(algo) || !isValidHex(algo, hex)) {
    throw new TroveError('BAD_POINTER', `Invalid ${what} "${text.slice(0, 80)}".`, {
      hint: 'An object id is written as sha256:<64 lowercase hex digits>.',
    });
  }
  return { algo, hex };
}

/** Fan-out path inside a store, as pnpm's cafs and git do: `sha256/ab/cdef...`. */
export function oidPath(oid: Oid): string {
  return `${oid.algo}/${oid.hex.slice(0, 2)}/${oid.hex.slice(2)}`;
}

export function oidEquals(a: Oid, b: Oid): boolean {
  return a.algo === b.algo && a.hex === b.hex;
}
