/**
 * The digest a symlink into the store stands for (checkout --link symlink
 * writes `<store>/objects/sha256/ab/cdef…`), or undefined for any other link.
 * `storeObjects` is the store's symlinkRoot(); the fan-out below it is the
 * store's layout, so it is read here, not above store/.
 */
export function storeLinkHex(target: string, storeObjects: string): string | undefined {
  const prefix = storeObjects.endsWith('/') ? storeObjects : `${storeObjects}/`;
  if (!target.startsWith(prefix)) return undefined;
  const m = /^sha256\/([0-9a-f]{2})\/([0-9a-f]{62})$/.exec(target.slice(prefix.length));
  return m ? m[1]! + m[2]! : undefined;
}
