import { fstatSync, readSync } from 'node:fs';
import type { ChunkRecord } from './workIndexRecords.js';

export const WORK_INDEX_VERSION = 1;
const READ_STEP = 64 * 1024;

/** What opening a work index base reads: its header and chunk table (the row blocks stay on disk). */
export interface WorkIndexBase {
  readonly id: string;
  readonly root: string | undefined;
  /** per chunk: its record and its row block's byte range after `dataStart` */
  readonly chunks: { rec: ChunkRecord; src: { readonly off: number; readonly len: number } }[];
  /** byte offset of the first row block */
  readonly dataStart: number;
}

/**
 * Read just enough of the base on `fd` for the header line and its N table
 * lines, and check them: the version, the directory `path` it indexes, block
 * ranges that follow one another and end at the file's end. Throws on
 * anything else (the caller takes that for a miss).
 */
export function readWorkIndexBase(fd: number, path: string): WorkIndexBase {
  const total = fstatSync(fd).size;
  let text = '';
  let pos = 0;
  let lines: string[] = [];
  let need = 1; // header line, then one line per chunk
  let header: { version?: number; id?: unknown; path?: unknown; root?: unknown; chunks?: unknown } | undefined;
  for (;;) {
    const buf = Buffer.alloc(READ_STEP);
    const n = readSync(fd, buf, 0, READ_STEP, pos);
    if (n === 0) throw new Error('truncated');
    pos += n;
    text += buf.toString('latin1', 0, n);
    lines = text.split('\n');
    if (header === undefined && lines.length > 1) {
      header = JSON.parse(Buffer.from(lines[0]!, 'latin1').toString('utf8')) as typeof header;
      if (header!.version !== WORK_INDEX_VERSION || typeof header!.id !== 'string' || header!.path !== path || typeof header!.chunks !== 'number') throw new Error('foreign');
      need = 1 + header!.chunks;
    }
    if (header !== undefined && lines.length > need) break;
  }
  const chunks: WorkIndexBase['chunks'] = [];
  let expectOff = 0;
  for (let i = 1; i < need; i++) {
    const r = JSON.parse(Buffer.from(lines[i]!, 'latin1').toString('utf8')) as unknown;
    if (!Array.isArray(r) || r.length !== 7) throw new Error('bad row');
    const [first, files, size, sig, leaf, off, len] = r as [string, number, number, string | null, string, number, number];
    if (typeof first !== 'string' || off !== expectOff || !Number.isInteger(len) || len < 0) throw new Error('bad table');
    expectOff += len;
    chunks.push({ rec: { first, files, size, sig, leaf }, src: { off, len } });
  }
  // Byte length of header + table: lines are split in latin1, so lengths are byte lengths.
  let start = 0;
  for (let i = 0; i < need; i++) start += lines[i]!.length + 1;
  if (start + expectOff !== total) throw new Error('size');
  return { id: header!.id as string, root: typeof header!.root === 'string' ? header!.root : undefined, chunks, dataStart: start };
}
