import { TroveError } from '../errors/index.js';
import { yamlLib } from './yamlLib.js';

/**
 * Parse a YAML file a human may have edited (a registry declaration, a stage
 * file after a merge conflict). Any syntax error is BAD_RECORD naming the
 * file and the line and column the yaml library points at, so the user can
 * open the file there; `data: {file, line, column, reason}`.
 */
export function parseYamlRecord(text: string, file: string): unknown {
  const doc = yamlLib().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new TroveError('BAD_RECORD', `${where}: ${reason}.`.replace(/\.\.$/, '.'), {
      hint: `Fix the file by hand (or restore it with git checkout -- ${file}), then run the command again.`,
      data: { file, line: pos?.line ?? null, column: pos?.col ?? null, reason },
    });
  }
  return doc.toJS();
}
