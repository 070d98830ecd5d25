// The generated blocks of docs/benchmarks.md that the per-area bench scripts
// (registry.mjs, experiments.mjs) own: everything between
// `<!-- NAME:begin -->` and `<!-- NAME:end -->` is replaced by each run; a
// doc without the markers gets the section (heading, intro, block) at its end.
import * as fs from 'node:fs';

export function replaceDocBlock(docPath, name, body, { heading, intro = '' }) {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body}\n${end}`;
  let text = fs.readFileSync(docPath, 'utf8');
  const b = text.indexOf(begin);
  const e = text.indexOf(end);
  if (b !== -1 && e > b) text = text.slice(0, b) + block + text.slice(e + end.length);
  else text = `${text.trimEnd()}\n\n## ${heading}\n\n${intro ? `${intro}\n\n` : ''}${block}\n`;
  fs.writeFileSync(docPath, text);
}
