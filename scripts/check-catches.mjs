#!/usr/bin/env node
// Every catch in src/ that swallows its error (no throw, and the error, if bound, is
// never used) must say why nothing is lost: a comment inside the catch, on its line,
// or on the line above the try (or above a `.catch(() => …)` call). Issue 17 point 5.
// Reads the sources with the TypeScript parser, so strings and comments cannot fool it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from './lib/sourceFiles.mjs';

const ts = createRequire(import.meta.url)('typescript');

/** The catches under srcDir that swallow their error without a comment: `file:line: text`. */
export function silentCatches(srcDir) {
  const files = sourceFiles(srcDir, /\.tsx?$/);
  const out = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const lineOf = (pos) => sf.getLineAndCharacterOfPosition(pos).line + 1;
    const hasComment = (s) => /\/\/|\/\*/.test(s);
    const commentAbove = (line) => (lines[line - 2] ?? '').trim().startsWith('//') || (lines[line - 2] ?? '').trim().endsWith('*/');
    const throwsIn = (node) => {
      let t = false;
      const v = (n) => {
        if (ts.isThrowStatement(n)) t = true;
        else if (!ts.isFunctionLike(n) || n === node) ts.forEachChild(n, v);
      };
      v(node);
      return t;
    };
    const uses = (node, name) => {
      let r = false;
      const v = (n) => {
        if (ts.isIdentifier(n) && n.text === name) r = true;
        ts.forEachChild(n, v);
      };
      v(node);
      return r;
    };
    const swallows = (body, param) => !throwsIn(body) && (!param || !ts.isIdentifier(param) || !uses(body, param.text));
    const lineText = (pos) => lines[lineOf(pos) - 1] ?? '';
    const report = (pos, what) => out.push(`${relative(srcDir, file).split(sep).join('/')}:${lineOf(pos)}: ${what.replace(/\s+/g, ' ').slice(0, 100)}`);
    const visit = (n) => {
      if (ts.isCatchClause(n)) {
        const inside = text.slice(n.getStart(), n.block.getEnd()) + lineText(n.block.getEnd());
        if (swallows(n.block, n.variableDeclaration?.name) && !hasComment(inside) && !commentAbove(lineOf(n.parent.getStart()))) report(n.getStart(), n.getText());
      } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'catch') {
        const f = n.arguments[0];
        if (f && (ts.isArrowFunction(f) || ts.isFunctionExpression(f)) && swallows(f.body, f.parameters[0]?.name)) {
          const at = n.expression.name.getStart();
          if (!hasComment(text.slice(at, n.getEnd()) + lineText(n.getEnd())) && !commentAbove(lineOf(at))) report(at, n.getText().slice(n.expression.name.getStart() - n.getStart()));
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const found = silentCatches(fileURLToPath(new URL('../src', import.meta.url)));
  for (const f of found) console.error(f);
  console.log(`${found.length} catch block(s) swallow an error without saying why nothing is lost`);
  if (found.length) process.exit(1);
}
