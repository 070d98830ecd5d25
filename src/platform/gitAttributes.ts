import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fromFsError } from '../errors/index.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';

/** The attribute that sends pointer files to the `trove` merge driver. */
export const MERGE_ATTRIBUTE = '*.trove merge=trove';
/**
 * Written above the attribute, so uninstall removes only what install added:
 * an attribute line without it was the user's and stays.
 */
export const MERGE_ATTRIBUTE_COMMENT = '# trove: pointer files merge with the trove driver (added by trove install; trove uninstall removes these two lines)';

const ANY_TROVE_MERGE = /^\*\.trove\s+(?:.*\s)?merge=trove(?:\s|$)/;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromFsError(err, 'reading', path);
  }
}

/** Add the merge attribute to ROOT/.gitattributes unless some line already sets it. */
export function addMergeAttribute(root: string): 'added' | 'unchanged' {
  const path = join(root, '.gitattributes');
  const text = read(path) ?? '';
  if (text.split(/\r?\n/).some((l) => ANY_TROVE_MERGE.test(l.trim()))) return 'unchanged';
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  try {
    atomicWriteSync(path, `${text}${sep}${MERGE_ATTRIBUTE_COMMENT}\n${MERGE_ATTRIBUTE}\n`);
  } catch (err) {
    throw fromFsError(err, 'writing', path);
  }
  return 'added';
}

/**
 * Remove the two lines install added. A file left empty by that is deleted
 * (install created it). `kept`: the attribute is there without our comment.
 */
export function removeMergeAttribute(root: string): 'removed' | 'absent' | 'kept' {
  const path = join(root, '.gitattributes');
  const text = read(path);
  if (text === undefined) return 'absent';
  const lines = text.split('\n');
  const out: string[] = [];
  let removed = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.replace(/\r$/, '') === MERGE_ATTRIBUTE_COMMENT && lines[i + 1]?.replace(/\r$/, '') === MERGE_ATTRIBUTE) {
      i++;
      removed = true;
      continue;
    }
    out.push(lines[i]!);
  }
  if (!removed) return lines.some((l) => ANY_TROVE_MERGE.test(l.trim())) ? 'kept' : 'absent';
  const rest = out.join('\n');
  try {
    if (rest.trim() === '') rmSync(path, { force: true });
    else atomicWriteSync(path, rest);
  } catch (err) {
    throw fromFsError(err, 'writing', path);
  }
  return 'removed';
}
