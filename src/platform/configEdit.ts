import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Document } from 'yaml';
import { TroveError } from '../errors/index.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';
import { yamlLib } from './yamlLib.js';

export { SECRET_KEYS } from './config.js';

const LOCAL_HEADER = `# trove per-clone configuration (git-ignored): credentials and machine-specific
# settings. Values here override .trove/config.yaml. See docs/config.md.
`;

/**
 * Edit config.yaml or config.local.yaml in place, keeping the user's comments
 * and layout (yaml's Document API), written atomically.
 */
export function editConfig(troveDir: string, local: boolean, edit: (doc: Document) => void): void {
  const path = join(troveDir, local ? 'config.local.yaml' : 'config.yaml');
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!local || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw new TroveError('CONFIG', `Cannot read ${path}.`, { hint: 'Run trove init to create it.', cause: err });
    text = LOCAL_HEADER;
  }
  const doc = yamlLib().parseDocument(text);
  if (doc.errors.length > 0) throw new TroveError('CONFIG', `${path} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, { hint: 'Fix the file by hand; trove will not rewrite a file it cannot parse.' });
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  edit(doc);
  atomicWriteSync(path, doc.toString({ lineWidth: 0 }), local ? secretFileMode(path) : existingMode(path));
}

/**
 * config.local.yaml holds credentials: 0600, or stricter when the user made it
 * so (0400 stays 0400); group and other bits are never written back.
 */
function secretFileMode(path: string): number {
  const mode = existingMode(path);
  return mode === undefined ? 0o600 : mode & 0o600 || 0o600;
}

/** The file's permission bits, so an edit through temp-and-rename keeps them; undefined for a new file. */
function existingMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    // no file yet (as documented): the new file gets the default mode; writing it reports its own errors
    return undefined;
  }
}
