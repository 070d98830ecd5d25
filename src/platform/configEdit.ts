import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document } from 'yaml';
import { TroveError } from '../errors/index.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';
import { yamlLib } from './yamlLib.js';

/** Keys whose values are secrets: they only ever go to config.local.yaml (git-ignored) and are never printed. */
export const SECRET_KEYS = new Set(['secret_access_key', 'session_token', 'connection_string', 'account_key', 'sas_token', 'password', 'passphrase', 'credentials_json', 'token', 'access_key_id', 'headers']);

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
  atomicWriteSync(path, doc.toString({ lineWidth: 0 }));
}
