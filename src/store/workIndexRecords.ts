/** The records of a work index (docs/formats.md, "Work index"): chunks, stat rows, spilled blocks and journal splices, with their checks. */

/** One chunk as recorded: `sig` is null when the scan was racy (never trusted), `leaf` '' when the chunk matched no leaf of `root`. */
export interface ChunkRecord {
  readonly first: string;
  readonly files: number;
  readonly size: number;
  readonly sig: string | null;
  readonly leaf: string;
}

/** `[name, inode, size, mtimeMs, mode, digest hex (f, x) or link target (l)]`; name is relative to the directory. */
export type StatRow = readonly [name: string, ino: number, size: number, mtimeMs: number, mode: 'f' | 'x' | 'l', hexOrTarget: string];

/**
 * A chunk's rows set aside in this process's spill file (one block, as a base
 * stores it), racy rows already dropped (`dropped`): what a large scan (the
 * first add of 1M files) hands to splice instead of row arrays, so memory
 * holds ~40 bytes a chunk, not ~200 a file, until save folds them in.
 */
export interface RowBlock {
  readonly spillOff: number;
  readonly len: number;
  readonly dropped: boolean;
}

export type ChunkRecordRow = [first: string, files: number, size: number, sig: string | null, leaf: string];

/** A splice not yet saved whose rows may be spilled blocks. */
export interface SpilledSplice {
  readonly seq: number;
  readonly root: string;
  readonly from: number;
  readonly to: number;
  readonly recs: readonly ChunkRecordRow[];
  readonly rows: readonly (readonly StatRow[] | RowBlock)[];
}

export function checkSplice(s: { root?: unknown; from?: unknown; to?: unknown; chunks?: unknown; rows?: unknown }, n: number): boolean {
  if (typeof s.root !== 'string' || !Number.isInteger(s.from) || !Number.isInteger(s.to)) return false;
  const from = s.from as number;
  const to = s.to as number;
  if (from < 0 || to < from || to > n || !Array.isArray(s.chunks) || !Array.isArray(s.rows) || s.chunks.length !== s.rows.length) return false;
  for (const c of s.chunks as unknown[]) {
    if (!Array.isArray(c) || c.length !== 5 || typeof c[0] !== 'string' || typeof c[1] !== 'number' || typeof c[2] !== 'number' || (c[3] !== null && typeof c[3] !== 'string') || typeof c[4] !== 'string') return false;
  }
  for (const rows of s.rows as unknown[]) if (!Array.isArray(rows) || !rows.every(isStatRow)) return false;
  return true;
}

export function isStatRow(r: unknown): r is StatRow {
  return Array.isArray(r) && r.length === 6 && typeof r[0] === 'string' && typeof r[1] === 'number' && typeof r[2] === 'number' && typeof r[3] === 'number' && (r[4] === 'f' || r[4] === 'x' || r[4] === 'l') && typeof r[5] === 'string';
}

export function parseBlock(buf: Buffer): StatRow[] {
  const rows: StatRow[] = [];
  for (const line of buf.toString('utf8').split('\n')) {
    if (line === '') continue;
    const r = JSON.parse(line) as unknown;
    if (!isStatRow(r)) throw new Error('bad row');
    rows.push(r);
  }
  return rows;
}

export function isRowBlock(r: readonly StatRow[] | RowBlock): r is RowBlock {
  return !Array.isArray(r);
}

/** Bytes of journalLine(sp) without reading the blocks: a block of n lines inlines as its bytes with n-1 commas for newlines, in brackets. */
export function journalLineBytes(sp: SpilledSplice): number {
  let rows = 0;
  for (const r of sp.rows) rows += (isRowBlock(r) ? (r.len === 0 ? 2 : r.len + 1) : Buffer.byteLength(JSON.stringify(r))) + 1;
  if (sp.rows.length > 0) rows -= 1;
  return Buffer.byteLength(`{"seq":${sp.seq},"root":${JSON.stringify(sp.root)},"from":${sp.from},"to":${sp.to},"chunks":${JSON.stringify(sp.recs)},"rows":[]}\n`) + rows;
}
