import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TIDX_HEAD_BYTES, parseTidxHead, tidxSections, type TidxHead } from '../../core/localPackIndex.js';
import { isTroveError } from '../../errors/index.js';

/** One published pack as a reader sees it. */
export interface PackInfo {
  readonly name: string;
  readonly file: string;
  readonly index: string;
  readonly count: number;
  readonly packSize: number;
}

/** A pack PackSet has opened: its index head, descriptors, and what it read of the index so far. */
export interface LoadedPack extends PackInfo {
  readonly head: TidxHead;
  readonly sections: ReturnType<typeof tidxSections>;
  tidxFd: number | undefined;
  packFd: number | undefined;
  /** every oid of the index, read once for a bulk presence check (hasMany) */
  allOids: Buffer | undefined;
  /** the kinds section (1 byte per entry, read once on the first lookup): a kind check costs no system call */
  kinds: Buffer | undefined;
  /** hits located in this pack; past PACK_TABLE_AFTER its offsets and lengths sections are read once (`places`) */
  hits: number;
  places: { offsets: Buffer; lengths: Buffer } | undefined;
}

/** The names of the packs whose index is listed in `packsDir`. */
export function listPackNames(packsDir: string): Set<string> {
  let names: string[] = [];
  try {
    names = readdirSync(packsDir);
  } catch {
    // no packs directory: a store without packs (format 1)
  }
  const out = new Set<string>();
  for (const n of names) {
    const m = /^([0-9a-f]{64})\.tidx$/.exec(n);
    if (m) out.add(m[1]!);
  }
  return out;
}

/**
 * Open the indexes of these packs and read their heads (one read each,
 * counted in `reads.index`); newest first by the index's mtime. Damaged ones
 * go to `unreadable`; a newer version is refused (NEWER_FORMAT).
 */
export function openPacks(packsDir: string, names: readonly string[], unreadable: string[], reads: { index: number }): LoadedPack[] {
  const found: (LoadedPack & { mtimeMs: number })[] = [];
  for (const name of names) {
    const index = join(packsDir, `${name}.tidx`);
    let fd: number;
    try {
      fd = openSync(index, 'r');
    } catch {
      // retired between the listing and the open (gc): not a pack any more
      continue;
    }
    const st = fstatSync(fd);
    const head = Buffer.allocUnsafe(Math.min(TIDX_HEAD_BYTES, st.size));
    reads.index++;
    readSync(fd, head, 0, head.length, 0);
    let parsed: TidxHead;
    try {
      parsed = parseTidxHead(head, st.size, index);
    } catch (err) {
      closeSync(fd);
      // A newer index is refused outright: taking its objects for absent would make gc or fetch act on a store
      // this trove does not understand. A damaged one is set aside (fsck reports it): its entries read as absent,
      // as a corrupt entry does, and fetch brings them back.
      if (isTroveError(err, 'NEWER_FORMAT')) throw err;
      unreadable.push(index);
      continue;
    }
    const lists = (st.size - tidxSections(parsed.count, 0).size) / 36;
    found.push({ name, file: join(packsDir, `${name}.pack`), index, count: parsed.count, packSize: parsed.packSize, head: parsed, sections: tidxSections(parsed.count, lists), tidxFd: fd, packFd: undefined, allOids: undefined, kinds: undefined, hits: 0, places: undefined, mtimeMs: st.mtimeMs });
  }
  found.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : 1));
  return found;
}
